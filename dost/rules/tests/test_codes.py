"""Lists of codes from flags (every refusal ground that applies)."""

from __future__ import annotations

import itertools

import polars as pl

from dost.rules.codes import which


def test_it_lists_the_codes_whose_flag_is_true_in_order() -> None:
    frame = pl.DataFrame({"a": [True, False, None, True], "b": [True, False, True, None]})
    result = frame.select(which({"a": pl.col("a"), "b": pl.col("b")}).alias("r"))["r"].to_list()
    assert result == [["a", "b"], [], ["b"], ["a"]]


def test_it_gives_the_same_lists_past_the_lookup_table_limit() -> None:
    names = [f"c{i}" for i in range(14)]
    rows = list(itertools.islice(itertools.product([True, False], repeat=14), 0, 16384, 97))
    frame = pl.DataFrame(rows, schema=names, orient="row")
    got = frame.select(which({n: pl.col(n) for n in names}).alias("r"))["r"].to_list()
    assert got == [[n for n, flag in zip(names, row, strict=True) if flag] for row in rows]
    small = frame.select(which({n: pl.col(n) for n in names[:3]}).alias("r"))["r"].to_list()
    assert small == [
        [n for n, flag in zip(names[:3], row[:3], strict=True) if flag] for row in rows
    ]
