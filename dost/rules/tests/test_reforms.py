"""Reforms: the same rulebook with parameters or variables replaced, for what-if runs."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from dost.rules import (
    HOUSEHOLD,
    MONEY,
    Formula,
    Reform,
    evaluate_case,
    load_reform,
    load_rulebook,
    parse_case,
    variable,
)
from dost.rules.tests.toybook import lab, toybook

CASE = {"household": {"cars": 0}, "persons": [{"income": 60.0}, {"income": 0.0}]}


def amount(book_period: str, reform: Reform | None = None) -> float:
    book = toybook()
    if reform is not None:
        book = book.with_reform(reform)
    result = evaluate_case(book, parse_case(CASE, book.variables), book_period, ["amount"])
    value = result.outputs["amount"]
    assert isinstance(value, float)
    return value


def test_it_replaces_a_parameter_for_every_period() -> None:
    # Base 2025: 2 × 120 − 60 = 180. Reform criterion 150: 2 × 150 − 60 = 240.
    assert amount("2025-03") == 180.0
    assert amount("2025-03", Reform("higher", {"toy.criterion": 150})) == 240.0
    assert amount("2025-03") == 180.0  # the base rulebook is untouched


def test_it_replaces_a_parameter_from_a_date() -> None:
    reform = Reform(
        "from July", {"toy.criterion": {dt.date(2024, 1, 1): 100, dt.date(2025, 7, 1): 200}}
    )
    assert amount("2025-06", reform) == 140.0  # 2 × 100 − 60
    assert amount("2025-07", reform) == 340.0  # 2 × 200 − 60


@variable(HOUSEHOLD, MONEY, label=lab("Amount"), reference="Reform Act")
def flat_amount(f: Formula) -> pl.Expr:
    return f.var("size") * 50.0


def test_it_replaces_a_variable() -> None:
    from dataclasses import replace

    reform = Reform("flat", variables=(replace(flat_amount, name="amount"),))
    book = toybook().with_reform(reform)
    assert book.reform == "flat"
    assert amount("2025-03", reform) == 100.0  # 2 × 50, income ignored
    assert book.dependency_map(["amount"])["amount"] == ("persons.excluded",)


def test_it_loads_a_reform_file(tmp_path: Path) -> None:
    path = tmp_path / "reform.yaml"
    path.write_text("name: need 400\nparameters:\n  tssa.need_criterion: 400\n", encoding="utf-8")
    reform = load_reform(path)
    az = load_rulebook("az").with_reform(reform)
    case = parse_case(
        {"persons": [{"role": "head", "citizenship": "AZ", "income_12m": 1200}]}, az.variables
    )
    # 1 × 400 − 1200 ÷ 12 = 300 (base 2026: 300 − 100 = 200).
    assert evaluate_case(az, case, "2026-03", ["tssa_amount"]).outputs["tssa_amount"] == 300.0
    base = load_rulebook("az")
    assert evaluate_case(base, case, "2026-03", ["tssa_amount"]).outputs["tssa_amount"] == 200.0
