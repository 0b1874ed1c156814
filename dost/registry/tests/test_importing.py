"""Bulk import: the same tests run on SQLite (executemany) and PostgreSQL (COPY)."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Sequence
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import cast

import polars as pl
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from dost.registry import models
from dost.registry.importing import ImportRejected, import_directory, import_files
from dost.registry.importing import validation as v
from dost.registry.importing.database import Database
from dost.registry.importing.kinds import KINDS
from dost.registry.importing.reading import MISSING_COLUMN, UNKNOWN_COLUMN
from dost.registry.national_id import FIN_INVALID, PINFL_CHECK_DIGIT, PINFL_INVALID, make_pinfl
from dost.registry.tests.factories import DistrictFactory, PersonFactory, fin_for

pytestmark = pytest.mark.django_db

DOC = Path(settings.BASE_DIR) / "docs" / "import.md"
MOTHER, CHILD, FATHER, OTHER = (fin_for(700_000 + i) for i in range(4))

PERSONS_HEADER = [
    "personal_id", "last_name", "first_name", "patronymic", "birth_date", "sex", "death_date",
    "citizenship", "residence_status", "district", "mother_id", "father_id",
    "preferred_language", "phone", "email",
]


def write(path: Path, rows: list[list[str]]) -> Path:
    """Rows (the header first) as CSV, or as a Parquet file of text columns; "" is a null."""
    if path.suffix == ".csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
    else:
        header, *data = rows
        pl.DataFrame(
            {name: [row[i] or None for row in data] for i, name in enumerate(header)},
            schema=dict.fromkeys(header, pl.String),
        ).write_parquet(path)
    return path


def person_row(pid: str, **values: str) -> list[str]:
    defaults = {
        "personal_id": pid, "last_name": "Aliyev", "first_name": "Ali", "birth_date": "1980-03-04",
        "sex": "M", "district": "AZ-BA-01",
    }
    defaults.update(values)
    return [defaults.get(column, "") for column in PERSONS_HEADER]


def messages(report_errors: Sequence[object]) -> list[str]:
    return [str(e) for e in report_errors]


@pytest.fixture
def district() -> models.District:
    return cast(models.District, DistrictFactory())


@pytest.fixture
def father(district: models.District) -> models.Person:
    made = PersonFactory(personal_id=FATHER, district=district)
    return cast(models.Person, made)


def write_good_set(directory: Path, suffix: str) -> None:
    write(directory / f"persons{suffix}", [
        PERSONS_HEADER,
        # The child comes before the mother: a parent may be anywhere in the file.
        person_row(CHILD, patronymic="Rashad", birth_date="2015-06-07", mother_id=MOTHER,
                   father_id=FATHER, citizenship="AZ", residence_status="temporary",
                   preferred_language="ru"),
        person_row(MOTHER, last_name="Aliyeva", first_name="Leyla", sex="F",
                   phone="+994 50 123 45 67", email="leyla@example.org"),
    ])
    write(directory / f"households{suffix}", [
        ["reference", "district", "address", "created_on"],
        ["H-IMP-1", "AZ-BA-01", "Nizami 5,\nflat 2", "2015-01-01"],
    ])
    write(directory / f"memberships{suffix}", [
        ["household", "personal_id", "role", "joined_on", "left_on"],
        ["H-IMP-1", MOTHER, "head", "2015-01-01", ""],
        ["H-IMP-1", CHILD, "child", "2015-06-07", ""],
    ])
    write(directory / f"incomes{suffix}", [
        ["personal_id", "month", "type", "amount"],
        [MOTHER, "2026-01", "wage", "500.5"],
        [MOTHER, "2026-02", "wage", "500"],
        [FATHER, "2026-01", "pension", "300.25"],
    ])


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_it_imports_a_good_set_of_files(tmp_path, father, suffix):
    write_good_set(tmp_path, suffix)
    actor = get_user_model().objects.create_user(username="loader")

    report = import_directory(tmp_path, actor=actor)

    assert report.ok, messages(report.errors)
    assert [(f.kind, f.rows, f.imported) for f in report.files] == [
        ("persons", 2, 2), ("households", 1, 1), ("memberships", 2, 2), ("incomes", 3, 3),
    ]
    child = models.Person.objects.get(personal_id=CHILD)
    mother = models.Person.objects.get(personal_id=MOTHER)
    assert (child.mother, child.father, child.patronymic, child.birth_date) == (
        mother, father, "Rashad", dt.date(2015, 6, 7),
    )
    assert (child.residence_status, child.preferred_language, child.citizenship) == (
        "temporary", "ru", "AZ",
    )
    assert (mother.patronymic, mother.citizenship, mother.residence_status) == ("", "", "permanent")
    assert (mother.phone, mother.email, mother.sex, mother.country) == (
        "+994 50 123 45 67", "leyla@example.org", "F", "az",
    )
    assert mother.preferred_language == settings.LANGUAGE_CODE
    assert mother.district is not None and mother.district.code == "AZ-BA-01"
    household = models.Household.objects.get(reference="H-IMP-1")
    assert household.address == "Nizami 5,\nflat 2"
    members = household.memberships.values_list("person__personal_id", "role", "left_on")
    assert sorted(members) == sorted([(CHILD, "child", None), (MOTHER, "head", None)])
    incomes = models.Income.objects.order_by("person__personal_id", "month").values_list(
        "person__personal_id", "month", "type", "amount", "source", "recorded_by",
    )
    assert list(incomes) == sorted([
        (MOTHER, dt.date(2026, 1, 1), "wage", Decimal("500.50"), "import", actor.pk),
        (MOTHER, dt.date(2026, 2, 1), "wage", Decimal("500.00"), "import", actor.pk),
        (FATHER, dt.date(2026, 1, 1), "pension", Decimal("300.25"), "import", actor.pk),
    ])
    batch = models.ImportBatch.objects.get(kind="incomes")
    assert (batch.rows, batch.imported_by) == (3, actor)
    assert set(models.Income.objects.values_list("reason", flat=True)) == {
        f"import batch {batch.pk}"
    }
    # One change-log entry per file, not per row.
    changes = models.RegistryChange.objects.filter(source="import")
    assert changes.count() == 4
    assert changes.get(import_batch=batch).after == {
        "kind": "incomes", "file": str(tmp_path / f"incomes{suffix}"), "rows": 3,
        "table": "registry_income",
    }


def test_it_gives_the_same_rows_from_csv_and_from_parquet(tmp_path, father):
    (tmp_path / "csv").mkdir()
    write_good_set(tmp_path / "csv", ".csv")
    assert import_directory(tmp_path / "csv").ok

    def snapshot() -> list[tuple[object, ...]]:
        return [
            *models.Person.objects.order_by("personal_id").values_list(
                "personal_id", "mother__personal_id", "father__personal_id", "district__code",
                "patronymic", "phone", "email", "preferred_language", "residence_status",
            ),
            *models.Income.objects.order_by("person__personal_id", "month").values_list(
                "person__personal_id", "month", "type", "amount", "source",
            ),
            *models.Membership.objects.order_by("person__personal_id").values_list(
                "household__reference", "person__personal_id", "role", "joined_on", "left_on",
            ),
        ]

    from_csv = snapshot()
    models.Income.objects.all().delete()
    models.Membership.objects.all().delete()
    models.Household.objects.all().delete()
    models.Person.objects.exclude(personal_id=FATHER).update(mother=None, father=None)
    models.Person.objects.exclude(personal_id=FATHER).delete()
    (tmp_path / "parquet").mkdir()
    write_good_set(tmp_path / "parquet", ".parquet")
    assert import_directory(tmp_path / "parquet").ok
    assert snapshot() == from_csv


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_it_reports_every_bad_row_with_its_line_and_imports_nothing(tmp_path, father, suffix):
    path = write(tmp_path / f"persons{suffix}", [
        PERSONS_HEADER,
        person_row(MOTHER),  # line 2, good
        person_row("AB12"),  # 3
        person_row(CHILD, last_name="", sex="X"),  # 4
        person_row(OTHER, birth_date="2020-02-30"),  # 5
        person_row(MOTHER),  # 6
        person_row(fin_for(800_001), district="NOPE", mother_id=fin_for(900_000)),  # 7
        person_row(fin_for(800_002), death_date="1970-01-01", email="not-an-email"),  # 8
        person_row(fin_for(800_003), birth_date="1980-3-4", father_id=FATHER),  # 9
    ])
    before = models.Person.objects.count()

    report = import_files([path])

    name = str(path)
    assert messages(report.errors) == [
        f"{name}:3: personal_id: {FIN_INVALID}",
        f"{name}:4: last_name: {v.REQUIRED}",
        f"{name}:4: sex: " + str(v.NOT_A_CHOICE % {"value": "X", "choices": "M, F"}),
        f"{name}:5: birth_date: " + str(v.NOT_A_DATE % {"value": "2020-02-30"}),
        f"{name}:6: personal_id: " + str(v.DUPLICATE % {"line": 2}),
        f"{name}:7: district: " + str(v.UNKNOWN_DISTRICT % {"value": "NOPE"}),
        f"{name}:7: mother_id: " + str(v.UNKNOWN_PARENT % {"value": fin_for(900_000)}),
        f"{name}:8: death_date: " + str(v.BEFORE % {"earlier": "birth_date"}),
        f"{name}:8: email: " + str(v.BAD_FORMAT % {"value": "not-an-email"}),
        f"{name}:9: birth_date: " + str(v.NOT_A_DATE % {"value": "1980-3-4"}),
    ]
    assert (report.files[0].rows, report.files[0].imported) == (8, 0)
    assert models.Person.objects.count() == before
    assert not models.ImportBatch.objects.exists()
    assert not models.RegistryChange.objects.exists()


def test_it_counts_lines_inside_quoted_values(tmp_path, district):
    path = write(tmp_path / "households.csv", [
        ["reference", "district", "address", "created_on"],
        ["H-1", "AZ-BA-01", "Street 1\nflat 2\nentrance 3", "2015-01-01"],  # lines 2-4
        ["H-2", "AZ-BA-01", "", "yesterday"],  # line 5
    ])
    report = import_files([path])
    assert messages(report.errors) == [
        f"{path}:5: created_on: " + str(v.NOT_A_DATE % {"value": "yesterday"}),
    ]


def test_it_refuses_to_import_the_same_persons_twice(tmp_path, district):
    path = write(tmp_path / "persons.csv", [PERSONS_HEADER, person_row(MOTHER), person_row(CHILD)])
    assert import_files([path]).ok

    again = import_files([path])

    assert messages(again.errors) == [
        f"{path}:2: personal_id: {v.ALREADY_IN_REGISTRY}",
        f"{path}:3: personal_id: {v.ALREADY_IN_REGISTRY}",
    ]
    assert models.Person.objects.count() == 2


def test_it_refuses_facts_already_in_the_registry_but_not_retracted_ones(tmp_path, father):
    path = write(tmp_path / "incomes.csv", [
        ["personal_id", "month", "type", "amount"], [FATHER, "2026-01", "wage", "100"],
    ])
    assert import_files([path]).ok
    assert messages(import_files([path]).errors) == [
        f"{path}:2: personal_id: {v.ALREADY_IN_REGISTRY}",
    ]
    models.Income.objects.update(retracted_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    assert import_files([path]).ok
    assert models.Income.objects.count() == 2


def test_it_resolves_references_across_files_in_dependency_order(tmp_path, father):
    write_good_set(tmp_path, ".csv")
    names = ("incomes", "memberships", "persons", "households")
    report = import_files([tmp_path / f"{name}.csv" for name in names])
    assert [f.kind for f in report.files] == ["persons", "households", "memberships", "incomes"]
    assert report.ok, messages(report.errors)


def test_it_says_when_a_reference_is_in_a_rejected_file(tmp_path, father):
    write_good_set(tmp_path, ".csv")
    persons = write(tmp_path / "persons.csv", [
        PERSONS_HEADER, person_row(MOTHER), person_row(CHILD, sex="?"),
    ])
    report = import_directory(tmp_path)

    assert [f.ok for f in report.files] == [False, True, False, False]
    memberships = str(tmp_path / "memberships.csv")
    assert messages(report.files[2].errors) == [
        f"{memberships}:2: personal_id: "
        + str(v.IN_REJECTED_FILE % {"value": MOTHER, "file": persons.name}),
        f"{memberships}:3: personal_id: "
        + str(v.IN_REJECTED_FILE % {"value": CHILD, "file": persons.name}),
    ]
    # The father was already in the registry: only the mother's incomes are refused.
    assert [(e.line, e.column) for e in report.files[3].errors] == [(2, "personal_id"),
                                                                   (3, "personal_id")]
    assert not models.Person.objects.filter(personal_id=MOTHER).exists()
    assert models.Household.objects.filter(reference="H-IMP-1").exists()


def test_it_refuses_unknown_facts_references(tmp_path, district):
    path = write(tmp_path / "utilities.csv", [
        ["household", "month", "kind", "amount"], ["H-NONE", "2026-01", "gas", "12.50"],
    ])
    assert messages(import_files([path]).errors) == [
        f"{path}:2: household: " + str(v.UNKNOWN_HOUSEHOLD % {"value": "H-NONE"}),
    ]


@override_settings(DOST_COUNTRY="uz", LANGUAGE_CODE="uz")
def test_it_checks_pinfl_check_digits_in_uzbekistan(tmp_path, district):
    good = make_pinfl(birth_date=dt.date(1990, 5, 17), sex="M", region_code=26, serial=1)
    wrong_digit = good[:13] + str((int(good[13]) + 1) % 10)
    path = write(tmp_path / "persons.csv", [
        PERSONS_HEADER,
        person_row(good),
        person_row(wrong_digit),
        person_row("7" + good[1:]),
        person_row(MOTHER),  # a FIN is not a PINFL
    ])
    assert messages(import_files([path]).errors) == [
        f"{path}:3: personal_id: {PINFL_CHECK_DIGIT}",
        f"{path}:4: personal_id: {PINFL_INVALID}",
        f"{path}:5: personal_id: {PINFL_INVALID}",
    ]

    path = write(tmp_path / "persons.csv", [PERSONS_HEADER, person_row(good)])
    assert import_files([path]).ok
    person = models.Person.objects.get(personal_id=good)
    assert (person.country, person.preferred_language) == ("uz", "uz")


def test_it_rejects_unknown_and_missing_columns(tmp_path, district):
    path = write(tmp_path / "incomes.csv", [
        ["personal_id", "month", "amout", "type"], [FATHER, "2026-01", "1", "wage"],
    ])
    assert messages(import_files([path]).errors) == [
        f"{path}:1: amout: {UNKNOWN_COLUMN}",
        f"{path}:1: amount: {MISSING_COLUMN}",
    ]


def test_it_rejects_a_file_of_unknown_kind(tmp_path, district):
    path = write(tmp_path / "people.csv", [["a"], ["b"]])
    report = import_files([path])
    assert len(report.errors) == 1 and report.errors[0].line == 0
    assert import_files([path], kind="persons").errors[0].column == "a"


def test_it_keeps_one_open_membership_per_person(tmp_path, father):
    models.Membership.objects.create(
        household=models.Household.objects.create(
            reference="H-OLD", district=father.district, created_on=dt.date(2000, 1, 1)
        ),
        person=father, role="head", joined_on=dt.date(2000, 1, 1),
    )
    models.Household.objects.create(
        reference="H-NEW", district=father.district, created_on=dt.date(2020, 1, 1)
    )
    PersonFactory(personal_id=OTHER)
    path = write(tmp_path / "memberships.csv", [
        ["household", "personal_id", "role", "joined_on", "left_on"],
        ["H-NEW", FATHER, "head", "2020-01-01", ""],  # still open in H-OLD
        ["H-NEW", OTHER, "spouse", "2020-01-01", ""],
        ["H-OLD", OTHER, "spouse", "2001-01-01", ""],  # a second open one in this file
        ["H-OLD", FATHER, "head", "1990-01-01", "1995-01-01"],  # a closed one is fine
        ["H-OLD", OTHER, "spouse", "1999-01-01", "1998-01-01"],  # left before joining
    ])
    assert messages(import_files([path]).errors) == [
        f"{path}:2: personal_id: {v.OPEN_MEMBERSHIP_EXISTS}",
        f"{path}:4: personal_id: " + str(v.SECOND_OPEN_MEMBERSHIP % {"line": 3}),
        f"{path}:6: left_on: " + str(v.BEFORE % {"earlier": "joined_on"}),
    ]


def test_it_imports_every_kind_of_fact_with_defaults(tmp_path, father):
    PersonFactory(personal_id=OTHER)
    models.Household.objects.create(
        reference="H-1", district=father.district, created_on=dt.date(2000, 1, 1)
    )
    files = {
        "contracts": [
            ["personal_id", "employer_name", "employer_tax_id", "start_date", "end_date",
             "termination_reason", "monthly_wage"],
            [FATHER, "Azersu", "", "2020-01-01", "2024-12-31", "redundancy", "900"],
            [OTHER, "Azersu", "1400057421", "2021-01-01", "", "", "750.25"],
        ],
        "insurance": [
            ["personal_id", "as_of", "record_months", "pension_capital"],
            [FATHER, "2026-01-01", "312", "14500.10"],
        ],
        "disabilities": [
            ["personal_id", "impairment_percent", "group", "valid_from", "valid_to"],
            [FATHER, "81", "1", "2025-03-01", ""],
        ],
        "vehicles": [
            ["personal_id", "registration_number", "acquired_on", "disposed_on", "value",
             "issued_for_rehabilitation"],
            [FATHER, "10-AB-123", "2019-05-05", "", "", "TRUE"],
            [OTHER, "90-ZZ-001", "2018-01-01", "2022-01-01", "8000", "0"],
        ],
        "real_estate": [
            ["personal_id", "purpose", "address", "acquired_on", "disposed_on", "value"],
            [FATHER, "garage", "Nizami 5", "2010-01-01", "", ""],
        ],
        "utilities": [
            ["household", "month", "kind", "amount"], ["H-1", "2026-01", "gas", "12.5"],
        ],
        "statuses": [
            ["personal_id", "kind", "valid_from", "valid_to"],
            [OTHER, "jobseeker", "2026-01-05", ""],
        ],
        "job_offers": [
            ["personal_id", "offered_on", "employer_name", "suitable", "refused"],
            [OTHER, "2026-02-01", "Azersu", "", "true"],
        ],
    }
    for kind, rows in files.items():
        write(tmp_path / f"{kind}.csv", rows)

    report = import_directory(tmp_path)

    assert report.ok, messages(report.errors)
    assert report.imported == 10
    assert list(
        models.EmploymentContract.objects.order_by("start_date").values_list(
            "employer_tax_id", "end_date", "termination_reason", "monthly_wage"
        )
    ) == [("", dt.date(2024, 12, 31), "redundancy", Decimal("900.00")),
          ("1400057421", None, "", Decimal("750.25"))]
    assert models.InsuranceRecord.objects.get().record_months == 312
    assert (models.DisabilityDetermination.objects.get().group) == 1
    assert list(
        models.Vehicle.objects.order_by("acquired_on").values_list(
            "value", "issued_for_rehabilitation", "disposed_on"
        )
    ) == [(Decimal("8000.00"), False, dt.date(2022, 1, 1)), (Decimal("0.00"), True, None)]
    assert models.RealEstate.objects.get().value == Decimal("0.00")
    assert models.UtilitySpending.objects.get().amount == Decimal("12.50")
    assert models.PersonStatus.objects.get().kind == "jobseeker"
    offer = models.JobOffer.objects.get()
    assert (offer.suitable, offer.refused, offer.source) == (True, True, "import")


def test_it_reports_bad_values_of_every_type(tmp_path, father):
    path = write(tmp_path / "vehicles.csv", [
        ["personal_id", "registration_number", "acquired_on", "disposed_on", "value",
         "issued_for_rehabilitation"],
        [FATHER, "10-AB-123", "2019-05-05", "", "12,50", "yes"],
        [FATHER, "X" * 17, "2019-05-05", "", "1.234", ""],
    ])
    disabilities = write(tmp_path / "disabilities.csv", [
        ["personal_id", "impairment_percent", "group", "valid_from"],
        [FATHER, "120", "two", "2025-01-01"],
    ])
    incomes = write(tmp_path / "incomes.csv", [
        ["personal_id", "month", "type", "amount"], [FATHER, "2026-13", "wage", "-5"],
    ])
    report = import_files([path, disabilities, incomes])
    assert messages(report.errors) == [
        f"{incomes}:2: month: " + str(v.NOT_A_MONTH % {"value": "2026-13"}),
        f"{incomes}:2: amount: " + str(v.NOT_MONEY % {"value": "-5"}),
        f"{disabilities}:2: impairment_percent: "
        + str(v.OUT_OF_RANGE % {"value": 120, "minimum": 0, "maximum": 100}),
        f"{disabilities}:2: group: " + str(v.NOT_A_WHOLE_NUMBER % {"value": "two"}),
        f"{path}:2: value: " + str(v.NOT_MONEY % {"value": "12,50"}),
        f"{path}:2: issued_for_rehabilitation: " + str(v.NOT_A_BOOLEAN % {"value": "yes"}),
        f"{path}:3: registration_number: " + str(v.TOO_LONG % {"max": 16}),
        f"{path}:3: value: " + str(v.NOT_MONEY % {"value": "1.234"}),
    ]


def test_it_accepts_typed_parquet_columns(tmp_path, father):
    path = tmp_path / "incomes.parquet"
    pl.DataFrame({
        "personal_id": [FATHER, FATHER],
        "month": [dt.date(2026, 1, 1), dt.date(2026, 2, 15)],
        "type": ["wage", "wage"],
        "amount": [512.25, 100.0],
    }).write_parquet(path)
    assert messages(import_files([path]).errors) == [
        f"{path}:3: month: " + str(v.NOT_A_MONTH % {"value": "2026-02-15"}),
    ]
    pl.DataFrame({
        "personal_id": [FATHER], "month": [dt.date(2026, 1, 1)], "type": ["wage"],
        "amount": [512.25],
    }).write_parquet(path)
    assert import_files([path]).ok
    assert models.Income.objects.get().amount == Decimal("512.25")


def test_it_raises_import_rejected_with_every_error(tmp_path, district):
    path = write(tmp_path / "persons.csv", [PERSONS_HEADER, person_row("bad1"), person_row("bad2")])
    with pytest.raises(ImportRejected) as caught:
        import_files([path]).raise_if_rejected()
    assert [e.line for e in caught.value.errors] == [2, 3]


def test_it_imports_from_the_command_line_and_prints_every_bad_row(tmp_path, district):
    good = write(tmp_path / "persons.csv", [PERSONS_HEADER, person_row(MOTHER)])
    bad = write(tmp_path / "data.csv", [
        ["reference", "district", "created_on"],
        ["H-1", "NOPE", "2020-01-01"],
        ["H-2", "AZ-BA-01", "2020-13-01"],
    ])
    out, err = StringIO(), StringIO()
    call_command("registry", "import", str(good), stdout=out, stderr=err)
    assert "1" in out.getvalue() and models.Person.objects.filter(personal_id=MOTHER).exists()

    with pytest.raises(CommandError):
        call_command(
            "registry", "import", str(bad), "--kind", "households", stdout=out, stderr=err
        )
    assert f"{bad}:2: district: " + str(v.UNKNOWN_DISTRICT % {"value": "NOPE"}) in err.getvalue()
    assert f"{bad}:3: created_on: " + str(v.NOT_A_DATE % {"value": "2020-13-01"}) in err.getvalue()
    assert not models.Household.objects.exists()


def test_it_loads_the_geography_from_the_command_line():
    call_command("registry", "geography", "--country", "az", stdout=StringIO())
    assert models.District.objects.filter(code="AZ-BA-01").exists()


def test_it_uses_copy_on_postgresql_and_executemany_on_sqlite():
    # The tests above run unchanged on both; this pins which path each backend takes.
    assert Database().postgres == (connection.vendor == "postgresql")


def documented_table(header: str) -> dict[str, list[str]]:
    """The rows of the docs/import.md table with this header row: kind → cells split on commas."""
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index(header):].split("\n\n")[0]
    rows = re.findall(r"^\| `(\w+)` \| (.+) \|$", table, re.MULTILINE)
    return {kind: cells.split(", ") for kind, cells in rows}


def test_it_matches_the_documented_column_format():
    documented = {}
    for kind, cells in documented_table("| file | columns").items():
        names = [re.match(r"(\*\*)?(\w+)", cell) for cell in cells]
        documented[kind] = [(m.group(2), bool(m.group(1))) for m in names if m]
    declared = {
        kind.name: [(c.name, c.required) for c in kind.columns] for kind in KINDS.values()
    }
    assert documented == declared


def test_it_matches_the_documented_keys():
    declared = {kind.name: list(kind.key) for kind in KINDS.values()}
    assert documented_table("| kind | key") == declared


def test_it_leaves_the_schema_as_it_found_it(tmp_path, father):
    # On PostgreSQL a first load into empty tables drops and re-creates indexes and constraints.
    tables = [kind.model._meta.db_table for kind in KINDS.values()]

    def schema() -> dict[str, object]:
        with connection.cursor() as cursor:
            return {t: connection.introspection.get_constraints(cursor, t) for t in tables}

    before = schema()
    write_good_set(tmp_path, ".csv")
    assert import_directory(tmp_path).ok
    assert schema() == before

