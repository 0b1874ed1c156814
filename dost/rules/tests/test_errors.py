"""Bad rulebooks fail at load time, naming the file, the variable or parameter, and why."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from dost.rules import RulebookError, load_rulebook

HEADER = """
import polars as pl
from dost.rules import BOOL, HOUSEHOLD, MONEY, PERSON, Formula, How, L
from dost.rules import input_variable, members, variable

LAB = L(az="a", uz="u", ru="r", en="e")
income = input_variable("income_12m", PERSON, MONEY, label=LAB, reference="R", default=0.0)
"""

PARAMS = "need:\n  unit: AZN\n  citation: Law\n  values:\n    2025-01-01: 285\n"


def make(tmp_path: Path, body: str, outputs: str = "[]") -> Path:
    (tmp_path / "parameters").mkdir()
    (tmp_path / "parameters" / "p.yaml").write_text(PARAMS, encoding="utf-8")
    (tmp_path / "rulebook.yaml").write_text(
        f"name: bad\nmodules: [rules]\noutputs: {outputs}\n", encoding="utf-8"
    )
    (tmp_path / "rules.py").write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return tmp_path


def load_error(tmp_path: Path, body: str, outputs: str = "[]") -> RulebookError:
    path = make(tmp_path, body, outputs)
    with pytest.raises(RulebookError) as error:
        load_rulebook(path)
    return error.value


def test_it_loads_a_good_rulebook_from_a_directory(tmp_path: Path) -> None:
    body = """
    @variable(PERSON, MONEY, label=LAB, reference="R")
    def half(f: Formula) -> pl.Expr:
        return f.var("income_12m") * f.param("p.need") / 2
    """
    book = load_rulebook(make(tmp_path, body, "[half]"))
    assert book.outputs == ("half",)
    assert book.variables["half"].source == str(tmp_path / "rules.py")


def test_it_names_an_unknown_variable(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        """
    @variable(PERSON, MONEY, label=LAB, reference="R")
    def half(f: Formula) -> pl.Expr:
        return f.var("incom_12m") / 2
    """,
    )
    assert (error.file, error.name) == (str(tmp_path / "rules.py"), "half")
    assert error.reason == "unknown variable 'incom_12m'"


def test_it_names_an_unknown_variable_in_an_aggregation(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        """
    total = members("total", How.SUM, of="wages", vtype=MONEY, label=LAB, reference="R")
    """,
    )
    assert (error.name, error.reason) == ("total", "unknown variable 'wages'")


def test_it_names_a_cycle(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        """
    @variable(PERSON, MONEY, label=LAB, reference="R")
    def a(f: Formula) -> pl.Expr:
        return f.var("b") + 1

    @variable(PERSON, MONEY, label=LAB, reference="R")
    def b(f: Formula) -> pl.Expr:
        return f.var("a") + 1
    """,
    )
    assert error.file == str(tmp_path / "rules.py")
    assert error.reason in ("cycle: a -> b -> a", "cycle: b -> a -> b")


def test_it_names_a_formula_whose_type_does_not_match(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        """
    @variable(PERSON, BOOL, label=LAB, reference="R")
    def poor(f: Formula) -> pl.Expr:
        return f.var("income_12m") / 12
    """,
    )
    assert error.name == "poor"
    assert error.reason == "type mismatch: formula gives Float64, declared bool"


def test_it_names_an_aggregation_filter_that_is_not_bool(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        """
    size = members("size", How.COUNT, where="income_12m", label=LAB, reference="R")
    """,
    )
    assert error.name == "size"
    assert "type mismatch" in error.reason


def test_it_names_a_formula_reading_another_entity(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        """
    @variable(HOUSEHOLD, MONEY, label=LAB, reference="R")
    def total(f: Formula) -> pl.Expr:
        return f.var("income_12m")
    """,
    )
    assert error.name == "total"
    assert "is a person variable" in error.reason


def test_it_names_an_unknown_parameter(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        """
    @variable(PERSON, MONEY, label=LAB, reference="R")
    def need(f: Formula) -> pl.Expr:
        return f.param("p.nede")
    """,
    )
    assert (error.name, error.reason) == ("need", "unknown parameter 'p.nede'")


def test_it_names_a_parameter_missing_for_the_period(tmp_path: Path) -> None:
    body = """
    @variable(PERSON, MONEY, label=LAB, reference="R")
    def need(f: Formula) -> pl.Expr:
        return f.param("p.need")
    """
    book = load_rulebook(make(tmp_path, body, "[need]"))
    with pytest.raises(RulebookError) as error:
        book.compile("2024-06")
    assert error.value.file == str(tmp_path / "parameters" / "p.yaml")
    assert error.value.name == "p.need"
    assert (
        error.value.reason == "no value valid on 2024-06-01 (first from 2025-01-01); needed by need"
    )


def test_it_names_a_label_missing_a_language(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        """
    @variable(PERSON, MONEY, label={"en": "Half", "az": "Yarı"}, reference="R")
    def half(f: Formula) -> pl.Expr:
        return f.var("income_12m") / 2
    """,
    )
    assert (error.name, error.reason) == ("half", "label missing in uz, ru")


def test_it_names_an_unknown_output(tmp_path: Path) -> None:
    error = load_error(tmp_path, "", "[tssa_amount]")
    assert (error.file, error.name) == (str(tmp_path / "rulebook.yaml"), "tssa_amount")
    assert error.reason == "unknown output variable"


def test_it_names_a_module_that_fails_to_import(tmp_path: Path) -> None:
    error = load_error(tmp_path, "raise RuntimeError('boom')\n")
    assert error.file == str(tmp_path / "rules.py")
    assert "boom" in error.reason


def test_it_checks_periods_at_load_time_when_asked(tmp_path: Path) -> None:
    body = """
    @variable(PERSON, MONEY, label=LAB, reference="R")
    def need(f: Formula) -> pl.Expr:
        return f.param("p.need")
    """
    path = make(tmp_path, body, "[need]")
    assert load_rulebook(path, check_periods=["2025-01"]).outputs == ("need",)
    with pytest.raises(RulebookError) as error:
        load_rulebook(path, check_periods=["2025-01", "2024-12"])
    assert (error.value.name, error.value.file) == (
        "p.need",
        str(tmp_path / "parameters" / "p.yaml"),
    )


def test_it_names_a_code_label_missing_a_language(tmp_path: Path) -> None:
    error = load_error(
        tmp_path,
        """
    status = input_variable(
        "status", PERSON, BOOL, label=LAB, reference="R", values={"a": {"en": "A"}}
    )
    """,
    )
    assert (error.name, error.reason) == ("status", "label of 'a' missing in az, uz, ru")
