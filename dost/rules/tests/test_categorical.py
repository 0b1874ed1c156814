"""Code lists as Categorical (the snapshot's contract) or as String (cases, older snapshots):
every rulebook gives the same results either way."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from dost.rules import evaluate_case, evaluate_population, load_rulebook, run_snapshot
from dost.rules.bench import generate
from dost.rules.cases import Case
from dost.rules.snapshot import HOUSEHOLD_SCHEMA, PERSON_SCHEMA

PERIOD = "2026-03"


def codes(schema: dict[str, pl.DataType]) -> list[str]:
    return [name for name, dtype in schema.items() if dtype == pl.Categorical()]


def as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Results compared as values: a code list column, if any, as text."""
    return frame.with_columns(pl.col(pl.Categorical).cast(pl.String))


@pytest.fixture(scope="module")
def snapshots(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same population twice: code lists as String files, and as Categorical ones."""
    text = tmp_path_factory.mktemp("text")
    generate(4000, text, seed=11)
    category = tmp_path_factory.mktemp("category")
    for name, schema in (("persons", PERSON_SCHEMA), ("households", HOUSEHOLD_SCHEMA)):
        frame = pl.read_parquet(text / f"{name}.parquet")
        cast = frame.with_columns(pl.col(c).cast(pl.String) for c in codes(schema))
        cast.write_parquet(text / f"{name}.parquet")
        frame.with_columns(pl.col(c).cast(pl.Categorical) for c in codes(schema)).write_parquet(
            category / f"{name}.parquet"
        )
    return {"text": text, "category": category}


def test_the_two_snapshots_differ_only_in_the_code_lists_types(
    snapshots: dict[str, Path],
) -> None:
    text = pl.read_parquet(snapshots["text"] / "persons.parquet")
    category = pl.read_parquet(snapshots["category"] / "persons.parquet")
    assert text.schema["citizenship"] == pl.String()
    assert category.schema["citizenship"] == pl.Categorical()
    assert dict(category.schema) == PERSON_SCHEMA
    assert as_text(category).equals(text)
    # Values the rules test for are there: excluded, foreign and stateless members.
    assert text["exclusion_status"].drop_nulls().n_unique() == 5
    assert set(text["citizenship"]) >= {"AZ", "RU", ""}


@pytest.mark.parametrize("name", ["az", "uz"])
def test_every_output_is_the_same_for_string_and_categorical_code_lists(
    name: str, snapshots: dict[str, Path], tmp_path: Path
) -> None:
    book = load_rulebook(name)
    results = {}
    for kind, directory in snapshots.items():
        out = tmp_path / kind
        run_snapshot(book, PERIOD, directory, out)
        results[kind] = [
            as_text(pl.read_parquet(out / f"{n}.parquet")) for n in ("persons", "households")
        ]
        # In memory as well (the runs path), and lazily (the group-by path).
        frames = [pl.read_parquet(directory / f"{n}.parquet") for n in ("persons", "households")]
        for given in (frames, [f.lazy() for f in frames]):
            people, homes = pl.collect_all(list(evaluate_population(book, PERIOD, *given)))
            assert as_text(people.sort("person_id")).equals(results[kind][0])
            assert as_text(homes.sort("household_id")).equals(results[kind][1])
    for text, category in zip(results["text"], results["category"], strict=True):
        assert text.equals(category)
    homes = results["text"][1]
    assert any(homes[c].n_unique() > 1 for c in homes.columns if c != "household_id")


def test_one_household_gives_the_same_explanation_either_way(
    snapshots: dict[str, Path],
) -> None:
    book = load_rulebook("az")
    answers = []
    for directory in snapshots.values():
        persons = pl.read_parquet(directory / "persons.parquet")
        households = pl.read_parquet(directory / "households.parquet")
        # Households with a member excluded or foreign (stateless persons count).
        odd = (
            persons.filter(
                pl.col("exclusion_status").is_not_null() | ~pl.col("citizenship").is_in(["AZ", ""])
            )["household_id"]
            .unique()
            .sort()[:5]
        )
        counts = [persons.filter(pl.col("household_id") == home).height for home in odd]
        answers.append(
            [
                evaluate_case(
                    book,
                    Case(
                        persons.filter(pl.col("household_id") == home),
                        households.filter(pl.col("household_id") == home),
                    ),
                    PERIOD,
                    explain=True,
                ).to_json("en")
                for home in odd
            ]
        )
    assert len(answers[0]) == 5
    assert answers[0] == answers[1]
    # The code lists bite: in these households someone is not counted in the family.
    sizes = [a["outputs"]["tssa_family_size"] for a in answers[0]]
    assert all(size < members for size, members in zip(sizes, counts, strict=True))
