"""A small rulebook built in code, so engine tests do not depend on a country's law."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import polars as pl

from dost.rules import (
    BOOL,
    HOUSEHOLD,
    INT,
    MONEY,
    PERSON,
    Formula,
    How,
    L,
    Rulebook,
    Variable,
    household_value,
    input_variable,
    members,
    variable,
)
from dost.rules.parameters import Bracket, DatedValue, Parameter, Parameters


def lab(text: str) -> Mapping[str, str]:
    return L(az=f"{text} (az)", uz=f"{text} (uz)", ru=f"{text} (ru)", en=text)


def param(name: str, values: Mapping[dt.date, Any], scale: str | None = None) -> Parameter:
    dated = tuple(
        DatedValue(day, value, f"Act {day.year}") for day, value in sorted(values.items())
    )
    return Parameter(name, "AZN", "Toy Act", dated, lab(name), scale)


PARAMS = Parameters(
    {
        p.name: p
        for p in (
            param("toy.criterion", {dt.date(2024, 1, 1): 100, dt.date(2025, 1, 1): 120}),
            param("toy.midmonth", {dt.date(2024, 1, 1): 1, dt.date(2025, 2, 15): 2}),
            param(
                "toy.bands",
                {dt.date(2024, 1, 1): (Bracket(10, amount=5.0), Bracket(20, amount=7.0))},
                scale="band_amount",
            ),
            param(
                "toy.rates",
                {
                    dt.date(2024, 1, 1): (
                        Bracket(0, rate=0.0),
                        Bracket(100, rate=0.1),
                        Bracket(500, rate=0.2),
                    )
                },
                scale="marginal_rate",
            ),
        )
    }
)

income = input_variable("income", PERSON, MONEY, label=lab("Income"), reference="R", default=0.0)
excluded = input_variable(
    "excluded", PERSON, BOOL, label=lab("Excluded"), reference="R", default=False
)
points = input_variable("points", PERSON, INT, label=lab("Points"), reference="R")
cars = input_variable("cars", HOUSEHOLD, INT, label=lab("Cars"), reference="R", default=0)


@variable(PERSON, BOOL, label=lab("Counted"), reference="Toy Act s.1")
def counted(f: Formula) -> pl.Expr:
    return ~f.var("excluded")


size = members("size", How.COUNT, where="counted", label=lab("Size"), reference="Toy Act s.2")
total_income = members(
    "total_income",
    How.SUM,
    of="income",
    where="counted",
    vtype=MONEY,
    label=lab("Total"),
    reference="R",
)
anyone_excluded = members(
    "anyone_excluded", How.ANY, of="excluded", label=lab("Any"), reference="R"
)
all_counted = members("all_counted", How.ALL, of="counted", label=lab("All"), reference="R")
max_points = members("max_points", How.MAX, of="points", vtype=INT, label=lab("Max"), reference="R")
min_points = members("min_points", How.MIN, of="points", vtype=INT, label=lab("Min"), reference="R")
head_income = members(
    "head_income", How.HEAD, of="income", vtype=MONEY, label=lab("Head"), reference="R"
)


@variable(
    HOUSEHOLD,
    MONEY,
    label=lab("Amount"),
    reference="Toy Act s.3",
    note=lab("size × criterion − total"),
)
def amount(f: Formula) -> pl.Expr:
    gap = f.var("size") * f.param("toy.criterion") - f.var("total_income")
    return pl.when(f.var("cars") == 0).then(gap.clip(lower_bound=0.0)).otherwise(0.0)


share = household_value("share", of="amount", vtype=MONEY, label=lab("Share"), reference="R")


@variable(PERSON, MONEY, label=lab("Bonus"), reference="R")
def bonus(f: Formula) -> pl.Expr:
    return f.scale("toy.bands", f.var("points"))


@variable(PERSON, MONEY, label=lab("Tax"), reference="R")
def tax(f: Formula) -> pl.Expr:
    return f.scale("toy.rates", f.var("income"))


@variable(PERSON, INT, label=lab("Mid-month"), reference="R")
def midmonth(f: Formula) -> pl.Expr:
    return f.param("toy.midmonth")


VARIABLES: tuple[Variable, ...] = (
    income, excluded, points, cars, counted, size, total_income, anyone_excluded, all_counted,
    max_points, min_points, head_income, amount, share, bonus, tax, midmonth,
)  # fmt: skip


def toybook(
    extra: Iterable[Variable] = (), outputs: Iterable[str] = ("amount", "share")
) -> Rulebook:
    return Rulebook.build("toy", variables=[*VARIABLES, *extra], parameters=PARAMS, outputs=outputs)


def frames(
    persons: Sequence[Mapping[str, Any]], households: Sequence[Mapping[str, Any]]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    schema_p = {
        "person_id": pl.Int64, "household_id": pl.Int64, "role": pl.String, "income": pl.Float64,
        "excluded": pl.Boolean, "points": pl.Int32,
    }  # fmt: skip
    p = pl.DataFrame(persons, schema=schema_p)
    h = pl.DataFrame(households, schema={"household_id": pl.Int64, "cars": pl.Int32})
    return p, h
