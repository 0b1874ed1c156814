"""Dependency ordering, laziness (only what outputs need) and the shape of the plan."""

from __future__ import annotations

import polars as pl
import pytest

from dost.rules import MONEY, PERSON, CaseError, Formula, L, evaluate_population, variable
from dost.rules.plan import StepKind
from dost.rules.tests.toybook import frames, lab, toybook


@variable(PERSON, MONEY, label=lab("Late"), reference="R")
def late(f: Formula) -> pl.Expr:
    # Defined before (and listed after) what it reads: order must come from dependencies.
    return f.var("early") * 2


@variable(PERSON, MONEY, label=lab("Early"), reference="R")
def early(f: Formula) -> pl.Expr:
    return f.var("income") + 1


ONE = (
    [
        {
            "person_id": 1,
            "household_id": 1,
            "role": "head",
            "income": 10.0,
            "excluded": False,
            "points": 1,
        }
    ],
    [{"household_id": 1, "cars": 0}],
)


def test_it_orders_formulas_by_their_dependencies() -> None:
    book = toybook([late, early])
    plan = book.compile("2025-03", ["late"])
    order = [name for step in plan.steps for name in step.names]
    assert order.index("early") < order.index("late")
    p, _ = evaluate_population(book, "2025-03", *frames(*ONE), outputs=["late"])
    assert p.collect()["late"].to_list() == [22.0]  # (10 + 1) × 2


def test_it_compiles_only_what_the_outputs_need() -> None:
    plan = toybook([late, early]).compile("2025-03", ["late"])
    assert plan.needed == {"late", "early", "income"}
    assert not plan.inputs[PERSON][1:]  # income is the only input read


def test_it_does_not_read_columns_the_outputs_do_not_need() -> None:
    p, h = frames(*ONE)
    people, _ = evaluate_population(toybook(), "2025-03", p.drop("points", "excluded"), h, ["tax"])
    assert people.collect()["tax"].to_list() == [0.0]
    with pytest.raises(CaseError, match="points"):
        evaluate_population(toybook(), "2025-03", p.drop("points"), h, ["bonus"])


def test_it_batches_crossings_into_one_group_by_and_one_join() -> None:
    plan = toybook().compile("2025-03", ["share", "anyone_excluded", "head_income", "max_points"])
    kinds = [step.kind for step in plan.steps]
    assert kinds.count(StepKind.AGGREGATE) == 1
    assert kinds.count(StepKind.BROADCAST) == 1


def test_it_caches_the_plan_per_period_and_outputs() -> None:
    book = toybook()
    assert book.compile("2025-03") is book.compile("2025-03")
    assert book.compile("2025-03") is not book.compile("2025-04")


def test_it_maps_outputs_to_the_input_columns_they_read() -> None:
    book = toybook()
    deps = book.dependency_map(["amount", "tax"])
    assert deps["amount"] == ("households.cars", "persons.excluded", "persons.income")
    assert deps["tax"] == ("persons.income",)
    assert book.outputs_affected_by(["cars"], ["amount", "tax", "bonus"]) == ["amount"]
    assert book.outputs_affected_by(["persons.points"], ["amount", "tax", "bonus"]) == ["bonus"]


def test_it_labels_in_four_languages() -> None:
    assert set(L(az="a", uz="u", ru="r", en="e")) == {"az", "uz", "ru", "en"}


def test_it_imports_nothing_from_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from dost.rules import load_rulebook; from dost.rules.cli import main; "
        "load_rulebook('az'); load_rulebook('uz'); "
        "assert not [m for m in sys.modules if m.split('.')[0] == 'django'], 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_it_maps_outputs_to_the_parameters_they_use() -> None:
    book = toybook()
    assert book.parameter_map(["share", "tax", "bonus"]) == {
        "share": ("toy.criterion",),
        "tax": ("toy.rates",),
        "bonus": ("toy.bands",),
    }
