"""Aggregations over runs of sorted members: the same values as the group-by, found fast."""

from __future__ import annotations

import itertools
import random
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from dost.rules import NUMBER, How, evaluate_population, members, run_snapshot
from dost.rules import evaluate as evaluate_module
from dost.rules.segments import Runs, _float_sums, find_runs, reduce_runs
from dost.rules.tests.test_aggregation import OUTPUTS
from dost.rules.tests.toybook import frames, lab, toybook

# Not money, so not rounded: the outputs show every bit of the sum.
RAW_TOTAL = members(
    "raw_total", How.SUM, of="income", vtype=NUMBER, label=lab("Raw"), reference="R"
)


def in_order(values: list[float]) -> float:
    """What the group-by gives: 0, then each value added in turn (not ``sum``, which
    compensates since Python 3.12)."""
    total = 0.0
    for value in values:
        total += value
    return total


@pytest.mark.parametrize("step", [None, 1, 3, 10**9])
def test_float_sums_add_each_run_in_row_order(step: int | None) -> None:
    # Runs by position (no keys), by compact keys (bins are the keys) and by sparse keys.
    rng = random.Random(3)
    lengths = [rng.randint(1, 20) for _ in range(400)] + list(range(1, 21))
    values = [round(rng.lognormvariate(8, 1.5), 2) for _ in range(sum(lengths))]
    starts = np.cumsum([0, *lengths[:-1]]).astype(np.int64)
    keys = None if step is None else np.repeat(np.arange(len(lengths)) * step + 5, lengths)
    runs = Runs(starts, len(values), keys)
    assert (runs.bins[1] is not None) is (step in (1, 3))
    assert isinstance(runs.bins[1], slice) is (step == 1)  # consecutive keys: a slice
    got = _float_sums(np.array(values), runs)
    expected = [in_order(values[s : s + n]) for s, n in zip(starts, lengths, strict=True)]
    assert got.tolist() == expected  # bit for bit, short runs and long ones
    # Plain reduceat does not add in order: the reason for _float_sums.
    assert np.add.reduceat(np.array(values), starts).tolist() != expected


@pytest.mark.parametrize("share", [0.03, 0.5, 0.97])
@pytest.mark.parametrize("step", [None, 1, 2, 10**9])
def test_counts_and_sums_read_polars_columns_chunk_by_chunk(share: float, step: int | None) -> None:
    # Flags mostly false, even or mostly true (the rarer value is binned), in a column of
    # several chunks whose boundaries cut runs; sums over the same chunks, bit for bit.
    rng = random.Random(17)
    lengths = [rng.randint(1, 9) for _ in range(700)]
    rows = sum(lengths)
    flags = [rng.random() < share for _ in range(rows)]
    values = [round(rng.lognormvariate(6, 2), 2) for _ in range(rows)]
    starts = np.cumsum([0, *lengths[:-1]]).astype(np.int64)
    keys = None if step is None else np.repeat(np.arange(len(lengths)) * step + 1, lengths)
    runs = Runs(starts, rows, keys)
    cut = [0, 5, 1001, 1002, 2500, rows]
    chunked = {
        name: pl.concat(
            [pl.Series(name, data[a:b]) for a, b in itertools.pairwise(cut)], rechunk=False
        )
        for name, data in (("flags", flags), ("values", values))
    }
    assert chunked["flags"].n_chunks() == len(cut) - 1
    bounds = [*starts.tolist(), rows]
    expected = [sum(flags[a:b]) for a, b in itertools.pairwise(bounds)]
    assert runs.counts(chunked["flags"]).tolist() == expected
    assert runs.counts(np.array(flags)).tolist() == expected
    assert runs.counts(np.array(flags, dtype=np.int64)).tolist() == expected  # 0/1 as ints
    in_rows = [in_order(values[a:b]) for a, b in itertools.pairwise(bounds)]
    assert runs.sums(chunked["values"]).tolist() == in_rows


def test_runs_are_found_only_for_members_sorted_in_the_households_order() -> None:
    homes = pl.Series([3, 5, 9])
    found = find_runs(pl.Series([3, 3, 5, 9, 9, 9]), homes)
    assert found is not None and found.starts.tolist() == [0, 2, 3] and found.rows == 6
    assert find_runs(pl.Series([3, 5, 3, 9]), homes) is None  # a household in two runs
    assert find_runs(pl.Series([3, 3, 9]), homes) is None  # a household without members
    assert find_runs(pl.Series([5, 3, 9]), pl.Series([5, 3, 9])) is None  # not sorted
    assert find_runs(pl.Series([], dtype=pl.Int64), pl.Series([], dtype=pl.Int64)) is not None
    # A wrong sorted flag is not taken for the truth.
    assert find_runs(pl.Series([3, 5, 3]).set_sorted(), pl.Series([3, 5, 3])) is None


def test_max_and_min_of_a_run_without_values_are_null() -> None:
    book = toybook()
    step = next(s for s in book.compile("2025-03", OUTPUTS).steps if s.kind == "aggregate")
    chosen = [s for s in step.segments if s is not None and s.name in ("max_points", "min_points")]
    frame = pl.DataFrame({"points": [None, None, 4, None, 1]}, schema={"points": pl.Int32})
    inputs = frame.select(e for s in chosen for e in s.inputs())
    raw = reduce_runs(inputs, chosen, Runs(np.array([0, 2], dtype=np.int64), 5))
    out = raw.select(s.finish() for s in chosen)
    assert out.to_dict(as_series=False) == {"max_points": [None, 4], "min_points": [None, 1]}


def population(seed: int, households: int = 300) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Sorted members, incomes with cents (so the order of additions shows), nulls, and
    some households of 8 or more."""
    rng = random.Random(seed)
    persons: list[dict[str, Any]] = []
    for home in range(1, households + 1):
        for member in range(rng.choice([1, 2, 3, 4, 5, 9, 12])):
            persons.append(
                {
                    "person_id": 10_000 - len(persons),
                    "household_id": home * 3,
                    "role": "head" if member == 0 else rng.choice(["spouse", "child", "other"]),
                    "income": None if rng.random() < 0.1 else round(rng.uniform(0, 9000), 2),
                    "excluded": None if rng.random() < 0.1 else rng.random() < 0.2,
                    "points": None if rng.random() < 0.3 else rng.randint(-5, 30),
                }
            )
    homes = [{"household_id": h * 3, "cars": int(h % 7 == 0)} for h in range(1, households + 1)]
    return frames(persons, homes)


def test_runs_give_the_group_bys_values_on_sums_with_cents(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    persons, households = population(seed=21)
    calls = []

    def counted(*args: Any, **kwargs: Any) -> pl.DataFrame:
        calls.append(1)
        return reduce_runs(*args, **kwargs)

    monkeypatch.setattr(evaluate_module, "reduce_runs", counted)
    book = toybook([RAW_TOTAL])
    outputs = [*OUTPUTS, "raw_total"]
    sorted_out = [
        f.sort("household_id")
        for f in pl.collect_all(
            list(evaluate_population(book, "2025-03", persons, households, outputs))
        )
    ]
    assert calls  # the runs were taken
    calls.clear()
    # The same rows, lazily: the group-by and its join, adding in the same order.
    joined = [
        f.sort("household_id")
        for f in pl.collect_all(
            list(evaluate_population(book, "2025-03", persons.lazy(), households, outputs))
        )
    ]
    assert not calls
    assert sorted_out[1].equals(joined[1])
    assert sorted_out[0].sort("person_id").equals(joined[0].sort("person_id"))
    assert sorted_out[1]["max_points"].null_count() > 0  # runs without a value were there


def test_household_only_outputs_write_no_person_file(tmp_path: Path) -> None:
    persons, households = population(seed=5, households=40)
    persons.write_parquet(tmp_path / "persons.parquet")
    households.write_parquet(tmp_path / "households.parquet")
    out = tmp_path / "out"
    book = toybook()
    # Person outputs asked: both files.
    assert run_snapshot(book, "2025-03", tmp_path, out, ["amount", "share"]) == (
        persons.height,
        households.height,
    )
    assert pl.read_parquet(out / "persons.parquet").columns == [
        "person_id",
        "household_id",
        "share",
    ]
    # Household outputs only: no person file, and the earlier one is gone with its run;
    # the persons' key is not even needed.
    persons.drop("person_id").write_parquet(tmp_path / "persons.parquet")
    counts = run_snapshot(book, "2025-03", tmp_path, out, ["amount", "size"])
    assert counts == (persons.height, households.height)
    assert not (out / "persons.parquet").exists()
    homes = pl.read_parquet(out / "households.parquet")
    assert homes.columns == ["household_id", "amount", "size"]
    assert homes["size"].sum() > 0
