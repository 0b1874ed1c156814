"""Every rulebook's YAML cases, one pytest test each, plus the examples in the docs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dost.rules import evaluate_case, load_rulebook, parse_case
from dost.rules.yamltests import case_files, find_rulebook, load_cases, run_case

RULEBOOKS = Path(__file__).resolve().parents[2] / "rulebooks"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

CASES = [
    pytest.param(file, raw, id=f"{file.parent.parent.name}/{file.stem}: {raw.get('name')}")
    for book in ("az", "uz")
    for file in case_files(RULEBOOKS / book)
    for raw in load_cases(file)
]


@pytest.mark.parametrize(("file", "raw"), CASES)
def test_it_passes_the_rulebook_yaml_case(file: Path, raw: dict[str, object]) -> None:
    outcome = run_case(load_rulebook(find_rulebook(file)), raw, str(file))
    assert outcome.ok, "\n".join(outcome.failures)


def test_it_has_cases_for_every_benefit() -> None:
    files = {f"{f.parent.parent.name}/{f.stem}" for f in case_files(RULEBOOKS / "az")}
    files |= {f"{f.parent.parent.name}/{f.stem}" for f in case_files(RULEBOOKS / "uz")}
    assert files == {
        "az/tssa", "az/pension", "az/social_benefits", "az/unemployment",
        "uz/low_income", "uz/allowances",
    }  # fmt: skip


def test_it_reports_a_case_that_expects_the_wrong_figure() -> None:
    book = load_rulebook("az")
    raw = {"period": "2026-03", "persons": [{"role": "head"}], "expected": {"tssa_amount": 301}}
    outcome = run_case(book, raw)
    assert outcome.failures == ("tssa_amount: expected 301, got 300.0",)


@pytest.mark.parametrize("example", sorted(EXAMPLES.glob("*.json")), ids=lambda p: p.name)
def test_it_evaluates_the_documented_example(example: Path) -> None:
    book = load_rulebook(example.name.split("-")[0])
    result = evaluate_case(
        book, parse_case(json.loads(example.read_text()), book.variables), explain=True
    )
    assert result.explanation is not None
    assert result.outputs


def test_it_cites_every_variable_and_labels_it_in_four_languages() -> None:
    for name in ("az", "uz"):
        for var in load_rulebook(name).variables.values():
            assert var.reference, var.name
            assert set(var.label) >= {"az", "uz", "ru", "en"}, var.name
