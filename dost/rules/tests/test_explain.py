"""Explanations: the tree of variables behind an output, as JSON and as text."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from dost.rules import evaluate_case, parse_case
from dost.rules.graph import closure
from dost.rules.tests.toybook import toybook

CASE = {
    "household": {"household_id": 5, "cars": 0},
    "persons": [
        {"person_id": 1, "role": "head", "income": 60.0},
        {"person_id": 2, "role": "child", "income": 0.0},
        {"person_id": 3, "role": "other", "income": 500.0, "excluded": True},
    ],
}


def explained(outputs: list[str]) -> Any:
    book = toybook()
    result = evaluate_case(book, parse_case(CASE, book.variables), "2025-03", outputs, explain=True)
    assert result.explanation is not None
    return book, result


def names(node: dict[str, Any]) -> set[str]:
    return {node["variable"]} | {n for child in node.get("inputs", []) for n in names(child)}


def test_it_explains_every_variable_that_led_to_the_output() -> None:
    book, result = explained(["amount"])
    tree = result.explanation.to_json("en")["outputs"][0]
    assert tree["variable"] == "amount"
    assert tree["value"] == 180.0  # 2 counted × 120 − 60 (person 3 is excluded)
    assert names(tree) == closure(["amount"], book.direct_deps())
    assert tree["formula"] == "size × criterion − total"


def test_it_shows_person_values_by_person_id() -> None:
    _, result = explained(["amount"])
    tree = result.explanation.to_json("en")["outputs"][0]
    size = next(c for c in tree["inputs"] if c["variable"] == "size")
    counted = size["inputs"][0]
    assert counted["value"] == {"1": True, "2": True, "3": False}


def test_it_records_the_parameter_values_and_citations_used() -> None:
    _, result = explained(["amount"])
    params = result.explanation.to_json("en")["outputs"][0]["parameters"]
    assert params == [
        {
            "name": "toy.criterion", "label": "toy.criterion", "value": 120, "unit": "AZN",
            "valid_from": "2025-01-01", "citation": "Act 2025",
        }
    ]  # fmt: skip


def test_it_shows_a_variable_reached_twice_once_in_full() -> None:
    _, result = explained(["amount", "share"])
    roots = result.explanation.to_json("en")["outputs"]
    share_input = roots[1]["inputs"][0]
    assert share_input["variable"] == "amount"
    assert share_input["repeated"] is True
    assert "inputs" not in share_input


@pytest.mark.parametrize(
    ("lang", "yes"), [("az", "bəli"), ("uz", "ha"), ("ru", "да"), ("en", "yes")]
)
def test_it_renders_plain_text_in_each_language(lang: str, yes: str) -> None:
    _, result = explained(["amount"])
    text = result.explanation.to_text(lang)
    suffix = "" if lang == "en" else f" ({lang})"
    assert f"Amount{suffix}: 180.00 AZN" in text
    assert f"Counted{suffix}: " in text
    assert yes in text
    assert "Act 2025" in text
    assert "120 AZN" in text


def test_it_names_every_refusal_reason_in_the_azerbaijani_explanation() -> None:
    from dost.rules import load_rulebook

    book = load_rulebook("az")
    case = parse_case(
        {
            "household": {"vehicles": 1, "real_estate_same_purpose_max": 2},
            "persons": [{"role": "head"}],
        },
        book.variables,
    )
    outputs = ["tssa_amount", "tssa_refusal_reasons"]
    result = evaluate_case(book, case, "2026-03", outputs, explain=True)
    assert result.explanation is not None
    text = result.explanation.to_text("az")
    assert "ÜDSY məbləği: 0.00 AZN" in text
    # The amount's own tree shows each ground as a yes/no ...
    assert "Nəqliyyat vasitəsi var: bəli" in text
    assert "Eyni təyinatlı iki və daha çox daşınmaz əmlak: bəli" in text
    assert "Alışlar həddi aşır: xeyr" in text
    # ... and the reasons output names exactly those that apply, in words.
    assert "İmtina əsasları: nəqliyyat vasitəsi, eyni təyinatlı iki və daha çox əmlak" in text
    reasons = result.explanation.to_json("ru")["outputs"][1]
    assert reasons["value"] == ["vehicle", "real_estate"]
    assert reasons["value_labels"]["vehicle"] == "транспортное средство"


def test_it_takes_the_words_of_the_text_from_the_rulebook(tmp_path: Path) -> None:
    from dost.rules import load_rulebook

    (tmp_path / "parameters").mkdir()
    (tmp_path / "rulebook.yaml").write_text(
        "name: words\nmodules: [rules]\noutputs: [income_12m]\n"
        "texts:\n  en: {title: 'Why {output} ({period})', none: 'n/a'}\n",
        encoding="utf-8",
    )
    (tmp_path / "rules.py").write_text(
        "from dost.rules import MONEY, PERSON, L, input_variable\n"
        "income = input_variable('income_12m', PERSON, MONEY, reference='R',\n"
        "                        label=L(az='a', uz='u', ru='r', en='Income'))\n",
        encoding="utf-8",
    )
    book = load_rulebook(tmp_path)
    case = parse_case({"persons": [{"person_id": 1, "income_12m": None}]}, book.variables)
    result = evaluate_case(book, case, "2026-03", explain=True)
    assert result.explanation is not None
    text = result.explanation.to_text("en")
    assert text.startswith("Why Income (2026-03)\n")
    assert "Income: person 1 n/a" in text
    assert "2026-03" in result.explanation.to_text("az")  # other languages keep the defaults
