"""``dost rules ...``: evaluate, run, test, deps, check."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from dost.rules.cli import main
from dost.rules.snapshot import HOUSEHOLD_SCHEMA, PERSON_SCHEMA

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_it_evaluates_a_case_and_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys,
        "evaluate",
        "--rulebook",
        "az",
        "--period",
        "2026-03",
        str(EXAMPLES / "az-tssa-family.json"),
    )
    assert code == 0
    data = json.loads(out)
    # 3 counted × 300 − 2400 ÷ 12 = 700.
    assert data["outputs"]["tssa_amount"] == 700.0
    assert data["outputs"]["child_under_one_benefit"]["3"] == 140.0
    assert "explanation" not in data
    # What a decision stores: the rulebook version and every parameter value used.
    assert (data["rulebook"], data["version"], data["reform"]) == ("az", "2026.1", None)
    need = data["parameters"]["tssa.need_criterion"]
    assert (need["value"], need["valid_from"]) == (300, "2026-01-01")
    assert "2026" in need["citation"]


def test_it_takes_the_period_from_the_command_line_over_the_case(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = (
        "evaluate",
        "--rulebook",
        "az",
        "--outputs",
        "tssa_amount",
        str(EXAMPLES / "az-tssa-family.json"),
    )
    assert json.loads(run(capsys, *args)[1])["outputs"]["tssa_amount"] == 700.0
    # 2025: 3 × 285 − 200 = 655.
    assert (
        json.loads(run(capsys, *args, "--period", "2025-03")[1])["outputs"]["tssa_amount"] == 655.0
    )


def test_it_explains_as_json_and_as_text(capsys: pytest.CaptureFixture[str]) -> None:
    case = str(EXAMPLES / "az-refused-family.json")
    code, out, _ = run(
        capsys,
        "evaluate",
        "--rulebook",
        "az",
        "--period",
        "2026-03",
        "--explain",
        "--lang",
        "ru",
        case,
    )
    assert code == 0
    roots = json.loads(out)["explanation"]["outputs"]
    assert roots[0]["label"] == "Основания отказа"
    assert roots[0]["value"] == ["vehicle", "utilities", "real_estate", "job_offers"]
    code, out, _ = run(
        capsys, "evaluate", "--rulebook", "az", "--period", "2026-03", "--text", case
    )
    assert "How Refusal reasons was decided for 2026-03" in out


def test_it_reports_a_case_error_without_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"persons": [{"incme_12m": 1}]}), encoding="utf-8")
    code, _, err = run(capsys, "evaluate", "--rulebook", "az", "--period", "2026-03", str(case))
    assert code == 2
    assert "unknown person field(s): incme_12m" in err


def test_it_runs_a_population_snapshot_to_parquet(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    person = dict.fromkeys(PERSON_SCHEMA) | {
        "role": "head", "sex": "M", "birth_date": pl.date(1990, 1, 1), "citizenship": "AZ",
        "residence_status": "permanent", "registered_jobseeker": False, "employed": False,
        "income_12m": 2400.0, "income_3m": 0.0, "wage_12m": 0.0, "pension_3m": 0.0,
        "insured_months_24m": 0, "insurance_record_months": 0, "pension_capital": 0.0,
        "job_offers_refused_12m": 0, "deceased_parents": 0,
    }  # fmt: skip
    persons = (
        pl.DataFrame(
            [
                {k: v for k, v in person.items() if k != "birth_date"}
                | {"person_id": 1, "household_id": 1},
                {k: v for k, v in person.items() if k != "birth_date"}
                | {"person_id": 2, "household_id": 2},
            ]
        )
        .with_columns(birth_date=pl.date(1990, 1, 1))
        .select([pl.col(name).cast(dtype) for name, dtype in PERSON_SCHEMA.items()])
    )
    households = pl.DataFrame(
        {"household_id": [1, 2], "region": ["AB", "AB"], "district": ["1", "1"],
         "vehicles": [0, 1], "vehicles_rehab": [0, 0], "real_estate_same_purpose_max": [0, 0],
         "purchases_12m": [0.0, 0.0], "utilities_monthly": [10.0, 10.0]},
        schema=HOUSEHOLD_SCHEMA,
    )  # fmt: skip
    persons.write_parquet(tmp_path / "persons.parquet")
    households.write_parquet(tmp_path / "households.parquet")
    out = tmp_path / "out"
    code, stdout, _ = run(
        capsys,
        "run",
        "--rulebook",
        "az",
        "--period",
        "2026-03",
        "--input",
        str(tmp_path),
        "--output",
        str(out),
    )
    assert code == 0
    assert json.loads(stdout)["persons"] == 2
    homes = pl.read_parquet(out / "households.parquet").sort("household_id")
    # Household 1: 300 − 200 = 100; household 2 owns a vehicle.
    assert homes["tssa_amount"].to_list() == [100.0, 0.0]
    assert homes["tssa_refusal_reasons"].to_list() == [[], ["vehicle"]]
    assert "old_age_pension_amount" in pl.read_parquet(out / "persons.parquet").columns
    assert json.loads(stdout)["files"] == ["persons.parquet", "households.parquet"]
    # Household outputs only: the person file of the run before is not left behind.
    code, stdout, _ = run(
        capsys, "run", "--rulebook", "az", "--period", "2026-03", "--input", str(tmp_path),
        "--output", str(out), "--outputs", "tssa_amount,tssa_family_size",
    )  # fmt: skip
    assert code == 0
    assert json.loads(stdout)["files"] == ["households.parquet"]
    assert not (out / "persons.parquet").exists()
    assert pl.read_parquet(out / "households.parquet").columns == [
        "household_id",
        "tssa_amount",
        "tssa_family_size",
    ]


def test_it_runs_yaml_tests_and_fails_on_a_wrong_expectation(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    good = Path(__file__).resolve().parents[2] / "rulebooks" / "az" / "tests" / "tssa.yaml"
    code, out, _ = run(capsys, "test", str(good))
    assert code == 0
    assert "0 failed" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "- name: wrong on purpose\n  period: 2026-03\n  persons: [{role: head, citizenship: AZ}]\n"
        "  expected: {tssa_amount: 299}\n",
        encoding="utf-8",
    )
    code, out, _ = run(capsys, "test", str(bad), "--rulebook", "az")
    assert code == 1
    assert "tssa_amount: expected 299, got 300.0" in out


def test_it_prints_the_dependency_map(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "deps", "--rulebook", "uz", "--outputs", "material_assistance")
    assert code == 0
    assert json.loads(out) == {"material_assistance": ["persons.birth_date", "persons.income_3m"]}


def test_it_checks_a_rulebook_for_a_period(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", "--rulebook", "az", "--period", "2026-03")[0] == 0
    code, _, err = run(capsys, "check", "--rulebook", "az", "--period", "2025-03")
    # Social benefit amounts are encoded from 1 July 2025 only.
    assert code == 2
    assert "benefits." in err and "no value valid on 2025-03-01" in err


def test_it_rejects_a_code_outside_an_enum(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"persons": [{"exclusion_status": "conscrip"}]}), encoding="utf-8")
    code, _, err = run(capsys, "evaluate", "--rulebook", "az", "--period", "2026-03", str(case))
    assert code == 2
    assert "exclusion_status: 'conscrip' is not one of conscript" in err


def test_it_reports_a_bad_period(capsys: pytest.CaptureFixture[str]) -> None:
    case = str(EXAMPLES / "az-tssa-family.json")
    code, _, err = run(capsys, "evaluate", "--rulebook", "az", "--period", "2026-13", case)
    assert code == 2
    assert "period must be YYYY-MM, got '2026-13'" in err


def test_it_prints_the_parameters_an_output_uses(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "deps", "--rulebook", "az", "--parameters", "--outputs", "tssa_amount"
    )
    assert code == 0
    used = json.loads(out)["tssa_amount"]
    assert "tssa.need_criterion" in used
    assert "subsistence.minimum" in used
    assert "pension.minimum" not in used
