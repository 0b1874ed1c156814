"""A plain Polars check of how many generated households a means test would reach.

This is not the rules engine: it is a deliberately simple reading of the TSSA (AZ) and low-income
(UZ) tests on the generated files, used to calibrate the generator and to keep it calibrated in
tests. It follows the period-snapshot conventions (docs/snapshot.md): members on the first day of
the month minus those with an excluding status, incomes of the N months before, assets held on
the first day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import polars as pl

EXCLUDING = ("conscript", "state_care", "imprisoned", "wanted", "abroad")
# AZ 2026: TSSA need criterion; subsistence minimum (country average) for the refusal grounds.
AZ_NEED_CRITERION = 300.0
AZ_SUBSISTENCE_MINIMUM = 280.0
# UZ 2026: minimum consumer expenditure per person and month.
UZ_MINIMUM_CONSUMER_EXPENDITURE = 715_000.0


@dataclass(frozen=True)
class Coverage:
    households: int
    income_test_passed: int
    eligible: int

    @property
    def share(self) -> float:
        return self.eligible / self.households if self.households else 0.0


def _months_before(period: dt.date, count: int) -> list[str]:
    labels = []
    year, month = period.year, period.month
    for _ in range(count):
        month -= 1
        if month == 0:
            year, month = year - 1, 12
        labels.append(f"{year:04d}-{month:02d}")
    return labels


def _read(directory: Path, kind: str) -> pl.LazyFrame:
    return pl.scan_parquet(directory / f"{kind}.parquet")


def _members(directory: Path, period: dt.date) -> pl.LazyFrame:
    """Persons counted in their household's size on the first day of `period`."""
    month_end = (period.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    persons = _read(directory, "persons").select("personal_id", "birth_date", "death_date")
    memberships = _read(directory, "memberships").filter(
        (pl.col("joined_on") < month_end)
        & (pl.col("left_on").is_null() | (pl.col("left_on") >= period))
    )
    excluded = (
        _read(directory, "statuses")
        .filter(
            pl.col("kind").is_in(EXCLUDING)
            & (pl.col("valid_from") <= period)
            & (pl.col("valid_to").is_null() | (pl.col("valid_to") > period))
        )
        .select("personal_id")
        .unique()
    )
    return (
        memberships.join(persons, on="personal_id")
        .filter(pl.col("death_date").is_null() | (pl.col("death_date") >= period))
        .join(excluded, on="personal_id", how="anti")
        .select("household", "personal_id")
    )


def _income(directory: Path, period: dt.date, months: int) -> pl.LazyFrame:
    return (
        _read(directory, "incomes")
        .filter(pl.col("month").is_in(_months_before(period, months)))
        .group_by("personal_id")
        .agg(pl.col("amount").sum().alias("income"))
    )


def _held(frame: pl.LazyFrame, period: dt.date) -> pl.LazyFrame:
    return frame.filter(
        (pl.col("acquired_on") <= period)
        & (pl.col("disposed_on").is_null() | (pl.col("disposed_on") > period))
    )


def az_tssa_coverage(directory: Path, *, period: dt.date = dt.date(2026, 11, 1)) -> Coverage:
    """Households that pass the TSSA income test and hit no refusal ground."""
    members = _members(directory, period)
    year_ago = period.replace(year=period.year - 1)
    income = (
        members.join(_income(directory, period, 12), on="personal_id", how="left")
        .group_by("household")
        .agg(pl.len().alias("size"), pl.col("income").fill_null(0.0).sum().alias("income_12m"))
    )
    vehicles = _held(_read(directory, "vehicles"), period).filter(
        ~pl.col("issued_for_rehabilitation")
    )
    estate = _held(_read(directory, "real_estate"), period)
    bought = pl.concat([
        _read(directory, "vehicles").select("personal_id", "acquired_on", "value"),
        _read(directory, "real_estate").select("personal_id", "acquired_on", "value"),
    ]).filter((pl.col("acquired_on") >= year_ago) & (pl.col("acquired_on") < period))
    refused = (
        _read(directory, "job_offers")
        .filter(pl.col("suitable") & pl.col("refused") & (pl.col("offered_on") >= year_ago)
                & (pl.col("offered_on") < period))
        .group_by("personal_id")
        .agg(pl.len().alias("refused"))
    )
    person_grounds = (
        members.join(vehicles.group_by("personal_id").agg(pl.len().alias("vehicles")),
                     on="personal_id", how="left")
        .join(estate.group_by("personal_id", "purpose")
              .agg(pl.col("address").n_unique().alias("units"))
              .group_by("personal_id").agg(pl.col("units").max()),
              on="personal_id", how="left")
        .join(bought.group_by("personal_id").agg(pl.col("value").sum().alias("bought")),
              on="personal_id", how="left")
        .join(refused, on="personal_id", how="left")
        .group_by("household")
        .agg(
            pl.col("vehicles").fill_null(0).sum(),
            pl.col("units").fill_null(0).max(),
            pl.col("bought").fill_null(0.0).sum(),
            pl.col("refused").fill_null(0).max(),
        )
    )
    utilities = (
        _read(directory, "utilities")
        .filter(pl.col("month").is_in(_months_before(period, 12)))
        .group_by("household", "month")
        .agg(pl.col("amount").sum())
        .group_by("household")
        .agg(pl.col("amount").mean().alias("utilities_monthly"))
    )
    minimum = AZ_SUBSISTENCE_MINIMUM
    result = (
        income.join(person_grounds, on="household", how="left")
        .join(utilities, on="household", how="left")
        .with_columns(
            passes=pl.col("income_12m") / 12.0 < pl.col("size") * AZ_NEED_CRITERION,
            refused_ground=(pl.col("vehicles") > 0)
            | (pl.col("units") >= 2)
            | (pl.col("bought") > 12 * minimum)
            | (pl.col("refused") >= 2)
            | (pl.col("utilities_monthly").fill_null(0.0) / pl.col("size") >= 0.15 * minimum),
        )
        .select(
            pl.len().alias("households"),
            pl.col("passes").sum().alias("passed"),
            (pl.col("passes") & ~pl.col("refused_ground")).sum().alias("eligible"),
        )
        .collect()
    )
    return Coverage(households=int(result["households"][0]),
                    income_test_passed=int(result["passed"][0]),
                    eligible=int(result["eligible"][0]))


def uz_low_income_coverage(directory: Path, *,
                           period: dt.date = dt.date(2026, 11, 1)) -> Coverage:
    """Households whose per-capita income over the 3 months before is below the MCE."""
    members = _members(directory, period)
    result = (
        members.join(_income(directory, period, 3), on="personal_id", how="left")
        .group_by("household")
        .agg(pl.len().alias("size"), pl.col("income").fill_null(0.0).sum().alias("income_3m"))
        .with_columns(
            low=pl.col("income_3m") / 3.0 / pl.col("size") < UZ_MINIMUM_CONSUMER_EXPENDITURE
        )
        .select(pl.len().alias("households"), pl.col("low").sum().alias("low"))
        .collect()
    )
    low = int(result["low"][0])
    return Coverage(households=int(result["households"][0]), income_test_passed=low,
                    eligible=low)
