"""Money: floats throughout, rounded once at the end to 2 places, half away from zero."""

from __future__ import annotations

import polars as pl

from dost.rules import MONEY, PERSON, Formula, evaluate_case, parse_case, variable
from dost.rules.tests.toybook import lab, toybook


@variable(PERSON, MONEY, label=lab("Tiny"), reference="R")
def tiny(f: Formula) -> pl.Expr:
    return f.var("income") * 0.001


@variable(PERSON, MONEY, label=lab("Doubled"), reference="R")
def doubled(f: Formula) -> pl.Expr:
    return f.var("tiny") * 2


def outputs(income: float, names: list[str]) -> dict[str, object]:
    book = toybook([tiny, doubled])
    case = parse_case({"persons": [{"person_id": 1, "income": income}]}, book.variables)
    return evaluate_case(book, case, "2025-03", names).outputs


def test_it_rounds_only_the_outputs() -> None:
    # tiny = 4 × 0.001 = 0.004 (→ 0.00 if rounded); doubled = 0.008 → 0.01. Rounding tiny
    # first would give 0.00.
    assert outputs(4.0, ["tiny", "doubled"]) == {"tiny": {1: 0.0}, "doubled": {1: 0.01}}


def test_it_rounds_half_away_from_zero() -> None:
    # 2.5 × 0.001 × 2 = 0.005 → 0.01 (banker's rounding would give 0.00).
    assert outputs(2.5, ["doubled"]) == {"doubled": {1: 0.01}}
