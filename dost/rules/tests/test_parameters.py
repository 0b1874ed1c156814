"""Dated parameters, YAML loading, and bracket scales."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from dost.rules import RulebookError, evaluate_population, load_parameters
from dost.rules.tests.toybook import frames, toybook


def run(period: str, output: str, **person: object) -> object:
    row = {
        "person_id": 1,
        "household_id": 1,
        "role": "head",
        "income": 0.0,
        "excluded": False,
        "points": 0,
    }
    p, h = frames([{**row, **person}], [{"household_id": 1, "cars": 0}])
    people, homes = pl.collect_all(list(evaluate_population(toybook(), period, p, h, [output])))
    frame = people if output in people.columns else homes
    return frame[output][0]


def test_it_takes_the_value_valid_on_the_first_day_of_the_period() -> None:
    # Criterion 100 from 2024-01-01, 120 from 2025-01-01; one member, no income.
    assert run("2024-12", "amount") == 100.0
    assert run("2025-01", "amount") == 120.0
    # A value from 2025-02-15 is not yet valid on 2025-02-01.
    assert run("2025-02", "midmonth") == 1
    assert run("2025-03", "midmonth") == 2


def test_it_fails_for_a_period_before_the_first_value() -> None:
    with pytest.raises(RulebookError) as error:
        toybook().compile("2023-12", ["amount"])
    assert error.value.name == "toy.criterion"
    assert "2023-12-01" in error.value.reason


def test_it_pays_the_amount_of_the_highest_band_reached() -> None:
    # Bands: from 10 → 5, from 20 → 7.
    assert [run("2025-03", "bonus", points=n) for n in (9, 10, 19, 20, 35)] == [
        0.0,
        5.0,
        5.0,
        7.0,
        7.0,
    ]
    assert run("2025-03", "bonus", points=None) == 0.0


def test_it_sums_marginal_rates_band_by_band() -> None:
    # 0 % to 100, 10 % 100–500, 20 % above 500: 700 → 400 × 0.1 + 200 × 0.2 = 80.
    assert run("2025-03", "tax", income=700.0) == 80.0
    assert run("2025-03", "tax", income=300.0) == 20.0
    assert run("2025-03", "tax", income=50.0) == 0.0


def test_it_loads_a_tree_of_dated_parameters(tmp_path: Path) -> None:
    (tmp_path / "tssa.yaml").write_text(
        "need:\n"
        "  unit: AZN\n"
        "  citation: Law A\n"
        "  values:\n"
        "    2024-01-01: 270\n"
        "    2025-01-01: {value: 285, citation: Law B}\n"
        "refusal:\n"
        "  share:\n"
        "    unit: ratio\n"
        "    citation: Rules C\n"
        "    values: {2024-01-01: 0.15}\n"
        "bands:\n"
        "  unit: AZN\n"
        "  citation: Law D\n"
        "  scale: band_amount\n"
        "  values:\n"
        "    2024-01-01: [{threshold: 31, amount: 180}]\n",
        encoding="utf-8",
    )
    params = load_parameters(tmp_path)
    assert sorted(params) == ["tssa.bands", "tssa.need", "tssa.refusal.share"]
    need = params["tssa.need"]
    assert need.unit == "AZN"
    found = need.at(dt.date(2025, 6, 1))
    assert found is not None
    assert (found.value, found.citation) == (285, "Law B")
    earlier = need.at(dt.date(2024, 6, 1))
    assert earlier is not None
    assert earlier.citation == "Law A"
    assert need.at(dt.date(2023, 6, 1)) is None


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("x:\n  unit: AZN\n  values: {2024-01-01: 1}\n", "needs a citation"),
        ("x:\n  citation: L\n  values: {2024-01-01: 1}\n", "needs a unit"),
        ("x:\n  unit: AZN\n  citation: L\n  values: {soon: 1}\n", "not a YYYY-MM-DD date"),
        (
            "x:\n  unit: AZN\n  citation: L\n  scale: steps\n  values: {2024-01-01: 1}\n",
            "scale must be",
        ),
    ],
)
def test_it_rejects_a_bad_parameter_naming_file_and_name(
    tmp_path: Path, body: str, reason: str
) -> None:
    (tmp_path / "p.yaml").write_text(body, encoding="utf-8")
    with pytest.raises(RulebookError) as error:
        load_parameters(tmp_path)
    assert error.value.file == str(tmp_path / "p.yaml")
    assert error.value.name == "p.x"
    assert reason in error.value.reason
