"""Members sorted by household: the join-free path gives what the joins give, when it applies."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from dost.rules import PERSON, evaluate_population, run_snapshot
from dost.rules.evaluate import aligned, runs_in_scan
from dost.rules.segments import RunsOfScan
from dost.rules.tests.test_aggregation import OUTPUTS
from dost.rules.tests.toybook import frames, toybook


def sorted_population(seed: int = 5, households: int = 60) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Members sorted by household, every household with members; sums exact in binary."""
    rng = random.Random(seed)
    persons: list[dict[str, Any]] = []
    for home in range(1, households + 1):
        for member in range(rng.randint(1, 6)):
            persons.append(
                {
                    "person_id": 1000 - len(persons),  # not in household order
                    "household_id": home * 7,
                    "role": "head" if member == 0 else rng.choice(["spouse", "child", "other"]),
                    "income": None if rng.random() < 0.1 else rng.randint(0, 4000) / 4,
                    "excluded": None if rng.random() < 0.1 else rng.random() < 0.2,
                    "points": None if rng.random() < 0.1 else rng.randint(0, 30),
                }
            )
    homes = [{"household_id": h * 7, "cars": int(h % 5 == 0)} for h in range(1, households + 1)]
    return frames(persons, homes)


def shuffled(frame: pl.DataFrame, seed: int = 11) -> pl.DataFrame:
    return frame.sample(fraction=1.0, shuffle=True, seed=seed)


def evaluate(persons: pl.DataFrame, households: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    people, homes = pl.collect_all(
        list(evaluate_population(toybook(), "2025-03", persons, households, OUTPUTS))
    )
    return people.sort("person_id"), homes.sort("household_id")


def test_it_recognises_members_sorted_in_the_households_order() -> None:
    persons, households = sorted_population()
    assert aligned(persons, households)
    assert aligned(persons.head(0), households.head(0))


def test_it_does_not_take_unsorted_or_unmatched_members_for_aligned() -> None:
    persons, households = sorted_population()
    assert not aligned(shuffled(persons), households)
    assert not aligned(persons, shuffled(households))
    # A household without members, one member whose household is absent, a null key.
    assert not aligned(
        persons,
        pl.concat(
            [
                households,
                pl.DataFrame({"household_id": [10_000], "cars": [0]}, schema=households.schema),
            ]
        ),
    )
    assert not aligned(persons, households.slice(1))
    assert not aligned(
        persons.with_columns(pl.lit(None, pl.Int64).alias("household_id")), households
    )
    assert not aligned(persons.drop("household_id"), households)


def test_it_gives_the_same_results_for_sorted_and_shuffled_members() -> None:
    persons, households = sorted_population()
    expected_people, expected_homes = evaluate(shuffled(persons), shuffled(households))
    people, homes = evaluate(persons, households)
    assert people.equals(expected_people)
    assert homes.equals(expected_homes)
    assert homes["size"].sum() > 0 and people["share"].drop_nulls().len() == persons.height


def test_it_gives_the_same_files_for_sorted_and_shuffled_snapshots(tmp_path: Path) -> None:
    persons, households = sorted_population(seed=8)
    results = []
    for name, (p, h) in {
        "sorted": (persons, households),
        "shuffled": (shuffled(persons), shuffled(households)),
    }.items():
        (tmp_path / name).mkdir()
        p.write_parquet(tmp_path / name / "persons.parquet")
        h.write_parquet(tmp_path / name / "households.parquet")
        counts = run_snapshot(
            toybook(), "2025-03", tmp_path / name, tmp_path / f"out-{name}", OUTPUTS
        )
        assert counts == (persons.height, households.height)
        results.append(
            (
                pl.read_parquet(tmp_path / f"out-{name}" / "persons.parquet").sort("person_id"),
                pl.read_parquet(tmp_path / f"out-{name}" / "households.parquet").sort(
                    "household_id"
                ),
            )
        )
    assert results[0][0].equals(results[1][0])
    assert results[0][1].equals(results[1][1])


def test_it_reads_the_role_only_for_outputs_that_need_it() -> None:
    book = toybook()
    assert "role" not in book.compile("2025-03", ["amount", "share"]).keys[PERSON]
    assert "role" in book.compile("2025-03", ["head_income"]).keys[PERSON]
    persons, households = sorted_population()
    people, homes = pl.collect_all(
        list(evaluate_population(book, "2025-03", persons.drop("role"), households, ["share"]))
    )
    assert people.columns == ["person_id", "household_id", "share"]
    assert people.height == persons.height and homes.height == households.height


def test_runs_found_in_the_scan_fall_back_to_the_group_by_when_members_are_not_aligned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Household outputs that are aggregations only: the members' runs are found while the
    # plan reads them (no pass over the keys first), and members that turn out not to be
    # aligned are evaluated again by the group-by.
    outputs = ["amount", "size", "total_income", "anyone_excluded", "all_counted", "max_points"]
    assert runs_in_scan(toybook().compile("2025-03", outputs))
    persons, households = sorted_population(seed=9)
    extra = pl.DataFrame({"household_id": [10_000], "cars": [0]}).cast(households.schema)
    alone = households.vstack(extra)
    looked: list[bool | None] = []
    original = RunsOfScan.of

    def of(self: RunsOfScan, members: pl.Series) -> Any:
        try:
            return original(self, members)
        finally:
            looked.append(self.aligned)

    monkeypatch.setattr(RunsOfScan, "of", of)
    results = {}
    for name, (p, h) in {
        "sorted": (persons, households),
        "shuffled": (shuffled(persons), households),
        "alone": (persons, alone),  # a household without members: not exactly the runs
    }.items():
        (tmp_path / name).mkdir()
        p.write_parquet(tmp_path / name / "persons.parquet")
        h.write_parquet(tmp_path / name / "households.parquet")
        looked.clear()
        out = tmp_path / f"o-{name}"
        counts = run_snapshot(toybook(), "2025-03", tmp_path / name, out, outputs)
        assert counts == (persons.height, h.height)
        assert looked[:1] == [name == "sorted"]
        results[name] = pl.read_parquet(out / "households.parquet")
    assert results["sorted"].equals(results["shuffled"].sort("household_id"))
    assert results["sorted"].equals(results["alone"].sort("household_id").head(households.height))
    assert results["alone"].filter(pl.col("household_id") == 10_000)["size"].to_list() == [0]
    assert results["sorted"]["size"].sum() > 0
