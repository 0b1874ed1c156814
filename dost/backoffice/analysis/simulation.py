"""Policy simulation: the registry snapshot through today's rulebook and a reformed one.

Both runs read the same snapshot for the same month, so every difference comes from the
changed parameters. Households are compared on the benefit's amount (for a benefit paid to
persons, the sum over the household's members) and fall into exactly one category:

- newly eligible: nothing today, something under the reform;
- no longer eligible: something today, nothing under the reform;
- better off / worse off: paid in both, more / less under the reform;
- unchanged: the same amount (including nothing in both).

"Eligible" means an amount above zero: a benefit is what it pays. This module uses the rules
engine and Polars only, so the figures can be checked without Django.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypedDict

import polars as pl

from dost.rules import HOUSEHOLD, MONEY, Reform, Rulebook, evaluate_population, load_rulebook
from dost.rules.parameters import Bracket, Parameter

# A change to one parameter: a number, or the full list of brackets of a scale.
BracketChange = dict[str, float]
Change = float | list[BracketChange]
Changes = Mapping[str, Change]

CATEGORIES: tuple[str, ...] = (
    "newly_eligible", "no_longer_eligible", "better_off", "worse_off", "unchanged",
)
MONTHS_PER_YEAR = 12


class Figures(TypedDict):
    households: int
    baseline_cost: float
    reform_cost: float
    baseline_beneficiaries: int
    reform_beneficiaries: int
    newly_eligible: int
    no_longer_eligible: int
    better_off: int
    worse_off: int
    unchanged: int


class RegionFigures(Figures):
    region: str


class Comparison(TypedDict):
    totals: Figures
    regions: list[RegionFigures]


@dataclass(frozen=True)
class Benefit:
    """A money output of a rulebook, the unit a simulation is about."""

    rulebook: str
    output: str
    per_person: bool  # paid to persons (beneficiaries counted as persons), else to households

    @property
    def key(self) -> str:
        return f"{self.rulebook}:{self.output}"


def benefits_of(book: Rulebook) -> list[Benefit]:
    """The rulebook's default outputs that are amounts of money, in the rulebook's order."""
    return [
        Benefit(book.name, name, book.variables[name].entity is not HOUSEHOLD)
        for name in book.outputs
        if book.variables[name].vtype is MONEY
    ]


def benefit_parameters(book: Rulebook, output: str) -> list[Parameter]:
    """The parameters the output uses, directly or through other variables, by name."""
    names = book.parameter_map([output])[output]
    return [book.parameters[name] for name in names]


def canonical(changes: Mapping[str, Any]) -> str:
    """One spelling of a set of changes: the cache key and the reform's name use it."""
    return json.dumps(changes, sort_keys=True, separators=(",", ":"))


@lru_cache(maxsize=32)
def _reformed(rulebook: str, changes_json: str) -> Rulebook:
    changes: dict[str, Change] = json.loads(changes_json)
    values: dict[str, float | tuple[Bracket, ...]] = {}
    for name, change in changes.items():
        if isinstance(change, list):
            values[name] = tuple(
                Bracket(b["threshold"], b.get("amount", 0.0), b.get("rate", 0.0)) for b in change
            )
        else:
            values[name] = change
    # One value for every date: the simulation is about one month, and a reform file may
    # date its values when it is meant to be read for several.
    return load_rulebook(rulebook).with_reform(Reform(f"simulation {changes_json}", values))


def reformed(rulebook: str, changes: Changes) -> Rulebook:
    """The rulebook with the changes applied (built and validated once per set of changes)."""
    return _reformed(rulebook, canonical(changes))


def household_amounts(
    book: Rulebook, period: str, persons: pl.DataFrame, households: pl.DataFrame, output: str,
) -> pl.DataFrame:
    """household_id, amount (the household's total of the output), beneficiaries."""
    person_frame, household_frame = evaluate_population(
        book, period, persons, households, [output]
    )
    if book.variables[output].entity is HOUSEHOLD:
        amount = pl.col(output).fill_null(0.0)
        return household_frame.select(
            "household_id",
            amount.alias("amount"),
            (amount > 0).cast(pl.Int64).alias("beneficiaries"),
        ).collect()
    amount = pl.col(output).fill_null(0.0)
    return (
        person_frame.group_by("household_id")
        .agg(amount.sum().alias("amount"), (amount > 0).sum().cast(pl.Int64).alias("beneficiaries"))
        .collect()
    )


def compare(
    baseline: Rulebook,
    reform: Rulebook,
    output: str,
    period: str,
    persons: pl.DataFrame,
    households: pl.DataFrame,
) -> Comparison:
    """Totals and per-region figures of the reform against the baseline, same snapshot."""
    before = household_amounts(baseline, period, persons, households, output)
    after = household_amounts(reform, period, persons, households, output)
    joined = (
        households.select("household_id", pl.col("region").fill_null(""))
        .join(before.rename({"amount": "base", "beneficiaries": "base_n"}), "household_id", "left")
        .join(after.rename({"amount": "new", "beneficiaries": "new_n"}), "household_id", "left")
        .with_columns(pl.col("base", "new").fill_null(0.0), pl.col("base_n", "new_n").fill_null(0))
    )
    base, new = pl.col("base"), pl.col("new")
    category = (
        pl.when((base == 0) & (new > 0)).then(pl.lit("newly_eligible"))
        .when((base > 0) & (new == 0)).then(pl.lit("no_longer_eligible"))
        .when(new > base).then(pl.lit("better_off"))
        .when(new < base).then(pl.lit("worse_off"))
        .otherwise(pl.lit("unchanged"))
    )
    figures = [
        pl.len().alias("households"),
        base.sum().alias("baseline_cost"),
        new.sum().alias("reform_cost"),
        pl.col("base_n").sum().alias("baseline_beneficiaries"),
        pl.col("new_n").sum().alias("reform_beneficiaries"),
        *[(pl.col("category") == name).sum().alias(name) for name in CATEGORIES],
    ]
    labelled = joined.with_columns(category.alias("category"))
    totals = labelled.select(figures)
    regions = labelled.group_by("region").agg(figures).sort("region")
    return Comparison(
        totals=_figures(totals.row(0, named=True)),
        regions=[
            RegionFigures(region=str(row["region"]), **_figures(row))
            for row in regions.iter_rows(named=True)
        ],
    )


def _figures(row: Mapping[str, object]) -> Figures:
    def whole(name: str) -> int:
        value = row[name]
        return int(value) if isinstance(value, (int, float)) else 0

    def money(name: str) -> float:
        value = row[name]
        return round(float(value), 2) if isinstance(value, (int, float)) else 0.0

    return Figures(
        households=whole("households"),
        baseline_cost=money("baseline_cost"),
        reform_cost=money("reform_cost"),
        baseline_beneficiaries=whole("baseline_beneficiaries"),
        reform_beneficiaries=whole("reform_beneficiaries"),
        newly_eligible=whole("newly_eligible"),
        no_longer_eligible=whole("no_longer_eligible"),
        better_off=whole("better_off"),
        worse_off=whole("worse_off"),
        unchanged=whole("unchanged"),
    )


def brackets_as_change(brackets: Sequence[Bracket], scale: str) -> list[BracketChange]:
    """A scale's brackets in the JSON shape of a change (what the form and the cache hold)."""
    field = "amount" if scale == "band_amount" else "rate"
    return [{"threshold": b.threshold, field: getattr(b, field)} for b in brackets]
