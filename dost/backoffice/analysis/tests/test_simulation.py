"""The simulation's figures against hand-worked TSSA amounts and independent counts.

TSSA (Law "On targeted state social assistance", arts. 1.0.1–1.0.5): a family is needy when
its average monthly income (income of the 12 months before ÷ 12) is below family size × need
criterion, and is then paid the difference, unless a refusal ground applies (here: a vehicle).
Need criterion for 2026: 300 AZN (Law "On the need criterion threshold ... for 2026", art. 1).

The fixture registry (conftest.py), March 2026:
  A  AZ-BA  1 person,  average 320   300 − 320 < 0: nothing
  B  AZ-BA  2 persons, average 500   600 − 500 = 100
  C  AZ-BA  1 person,  average 400   nothing
  D  AZ-GA  1 person,  no income, owns a vehicle: refused
  E  AZ-GA  3 persons, average 850   900 − 850 = 50
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from dost.backoffice.analysis.services import SimulationRequest, simulation_compute
from dost.backoffice.analysis.simulation import CATEGORIES, compare, reformed
from dost.registry.snapshot import period_snapshot
from dost.rules import evaluate_population, load_rulebook

from .conftest import PERIOD, Registry


def run(criterion: float) -> dict[str, Any]:
    result = simulation_compute(request=SimulationRequest(
        "az", "tssa_amount", PERIOD, {"tssa.need_criterion": criterion}))
    assert result["status"] == "done", result.get("error")
    return dict(result["comparison"])


def test_it_finds_the_newly_eligible_and_the_better_off_when_the_criterion_rises(
    registry: Registry,
) -> None:
    comparison = run(350)
    totals = comparison["totals"]
    # Criterion 350: A 350 − 320 = 30 (new); B 700 − 500 = 200 (+100); C 350 < 400; D refused;
    # E 1050 − 850 = 200 (+150). Today: 100 + 50 = 150; simulated: 30 + 200 + 200 = 430.
    assert totals["baseline_cost"] == 150.0
    assert totals["reform_cost"] == 430.0
    assert (totals["baseline_beneficiaries"], totals["reform_beneficiaries"]) == (2, 3)
    assert {name: totals[name] for name in CATEGORIES} == {
        "newly_eligible": 1, "no_longer_eligible": 0, "better_off": 2, "worse_off": 0,
        "unchanged": 2,
    }
    by_region = {r["region"]: r for r in comparison["regions"]}
    assert (by_region["AZ-BA"]["baseline_cost"], by_region["AZ-BA"]["reform_cost"]) == (100, 230)
    assert (by_region["AZ-GA"]["baseline_cost"], by_region["AZ-GA"]["reform_cost"]) == (50, 200)
    assert by_region["AZ-BA"]["newly_eligible"] == 1
    assert by_region["AZ-GA"]["newly_eligible"] == 0


def test_it_counts_the_newly_eligible_as_a_direct_filter_on_the_snapshot_does(
    registry: Registry,
) -> None:
    snapshot = period_snapshot(PERIOD)
    households = snapshot.households
    # The fixture has no refusal ground but the vehicle, so the law reduces to a filter.
    assert households["purchases_12m"].sum() == 0
    assert households["real_estate_same_purpose_max"].sum() == 0
    assert snapshot.persons["exclusion_status"].null_count() == snapshot.persons.height
    family = snapshot.persons.group_by("household_id").agg(
        size=pl.len(), average=pl.col("income_12m").sum() / 12
    )
    joined = households.join(family, on="household_id")
    for criterion in (310, 350, 400, 1000):
        independent = joined.filter(
            (pl.col("vehicles") == 0)
            & (pl.col("average") >= pl.col("size") * 300)
            & (pl.col("average") < pl.col("size") * criterion)
        ).height
        assert run(criterion)["totals"]["newly_eligible"] == independent, criterion
    assert run(1000)["totals"]["newly_eligible"] == 2  # A and C; D keeps its vehicle


def test_it_finds_the_worse_off_and_the_no_longer_eligible_when_the_criterion_falls(
    registry: Registry,
) -> None:
    # 290: B 580 − 500 = 80 (−20), E 870 − 850 = 20 (−30): both paid less.
    totals = run(290)["totals"]
    assert (totals["worse_off"], totals["no_longer_eligible"], totals["reform_cost"]) == (
        2, 0, 100.0)
    # 250: B 500 is not below 500; E 850 is not below 750: both lose the assistance.
    totals = run(250)["totals"]
    assert (totals["worse_off"], totals["no_longer_eligible"], totals["reform_cost"]) == (
        0, 2, 0.0)
    assert totals["reform_beneficiaries"] == 0


@pytest.mark.parametrize("criterion", [0, 250, 290, 300, 350, 2000])
def test_it_puts_every_household_in_exactly_one_category_and_agrees_with_the_engine(
    registry: Registry, criterion: float,
) -> None:
    snapshot = period_snapshot(PERIOD)
    book = load_rulebook("az")
    reform = reformed("az", {"tssa.need_criterion": criterion})
    comparison = compare(book, reform, "tssa_amount", PERIOD, snapshot.persons,
                         snapshot.households)
    for figures in [comparison["totals"], *comparison["regions"]]:
        assert sum(figures[name] for name in CATEGORIES) == figures["households"]  # type: ignore[literal-required]
    assert comparison["totals"]["households"] == snapshot.households.height == 5
    assert sum(r["households"] for r in comparison["regions"]) == 5
    # Baseline and reform are the engine's own runs of the same snapshot.
    for rulebook, cost, beneficiaries in (
        (book, "baseline_cost", "baseline_beneficiaries"),
        (reform, "reform_cost", "reform_beneficiaries"),
    ):
        _, homes = evaluate_population(rulebook, PERIOD, snapshot.persons, snapshot.households,
                                       ["tssa_amount"])
        amounts = homes.collect()["tssa_amount"]
        assert comparison["totals"][cost] == round(amounts.sum(), 2)  # type: ignore[literal-required]
        assert comparison["totals"][beneficiaries] == (amounts > 0).sum()  # type: ignore[literal-required]


def test_it_reports_a_month_the_parameters_do_not_cover(registry: Registry) -> None:
    # Social benefit amounts are encoded from 1 July 2025 only (docs/rules.md).
    result = simulation_compute(request=SimulationRequest(
        "az", "disability_benefit", "2025-03", {"benefits.disability": [
            {"threshold": 31, "amount": 200}, {"threshold": 61, "amount": 250},
            {"threshold": 81, "amount": 300}]}))
    assert result["status"] == "failed"
    assert "no value valid" in result["error"]
