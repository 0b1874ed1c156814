"""Months: parsing, first and last day, shifting; ages on the first day."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from dost.rules import Period
from dost.rules.dates import age_months, age_years, within


def test_it_parses_a_month_and_knows_its_days() -> None:
    period = Period.parse("2024-02")
    assert (period.start, period.end) == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert str(period.shift(-12)) == "2023-02"
    assert str(Period.parse("2026-01").shift(-1)) == "2025-12"


@pytest.mark.parametrize("text", ["2026-13", "2026-3", "26-03", "2026-03-01", ""])
def test_it_rejects_what_is_not_a_month(text: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        Period.parse(text)


def test_it_counts_completed_months_and_years_of_age() -> None:
    births = pl.DataFrame(
        {"b": [dt.date(1961, 9, 1), dt.date(1961, 9, 2), dt.date(2025, 3, 1), None]}
    )
    on = dt.date(2026, 3, 1)
    got = births.select(m=age_months(pl.col("b"), on), y=age_years(pl.col("b"), on))
    # 1961-09-01 → 64 y 6 m = 774 months; a day later in the month → 773; born a year ago → 12.
    assert got["m"].to_list() == [774, 773, 12, None]
    assert got["y"].to_list() == [64, 64, 1, None]


def test_it_tells_whether_a_date_is_in_the_month() -> None:
    days = pl.DataFrame(
        {"d": [dt.date(2026, 2, 28), dt.date(2026, 3, 1), dt.date(2026, 3, 31), None]}
    )
    got = days.select(within(pl.col("d"), dt.date(2026, 3, 1), dt.date(2026, 3, 31)))["d"]
    assert got.to_list() == [False, True, True, False]
