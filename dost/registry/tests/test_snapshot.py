"""The period snapshot against a small world whose every value is worked out by hand.

The period is 2026-03: "the 12 months before" are 2025-03 … 2026-02, "the 3 months before"
2025-12 … 2026-02, "the 24 months before" 2024-03 … 2026-02, and "the first day" is 2026-03-01.
Run on SQLite and on PostgreSQL (DATABASE_URL): the expected values are the same on both.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import polars as pl
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dost.registry import models
from dost.registry.snapshot import (
    HOUSEHOLD_SCHEMA,
    INVALID_PERIOD,
    PERSON_SCHEMA,
    SnapshotPeriodError,
    period_snapshot,
    snapshot_write,
)
from dost.registry.snapshot.queries import household_parts, person_parts
from dost.registry.tests.factories import (
    DistrictFactory,
    HouseholdFactory,
    IncomeFactory,
    MembershipFactory,
    PersonFactory,
    RegionFactory,
)

pytestmark = pytest.mark.django_db

D = dt.date
RETRACTED = {"retracted_at": dt.datetime(2026, 3, 5, tzinfo=dt.UTC), "retracted_reason": "typo"}


# The shared factories are untyped: these wrappers give the test a typed world.
def make_person(**attrs: Any) -> models.Person:
    return cast(models.Person, PersonFactory(**attrs))


def make_household(**attrs: Any) -> models.Household:
    return cast(models.Household, HouseholdFactory(**attrs))


def make_district(**attrs: Any) -> models.District:
    return cast(models.District, DistrictFactory(**attrs))


def make_member(**attrs: Any) -> None:
    MembershipFactory(**attrs)


def make_income(**attrs: Any) -> None:
    IncomeFactory(**attrs)


def fact(model: type[Any], **attrs: Any) -> Any:
    return model.objects.create(source=models.Source.SYSTEM, **attrs)


@dataclass
class World:
    a: models.Household
    b: models.Household
    c: models.Household
    adil: models.Person
    leyla: models.Person
    baby: models.Person
    nana: models.Person
    dead: models.Person
    gone: models.Person
    mover: models.Person
    rauf: models.Person


def build_world() -> World:
    baku = make_district()  # region AZ-BA, district AZ-BA-01
    ganja = make_district(region=RegionFactory(code="AZ-GA", name="Gəncə"),
                     code="AZ-GA-01")
    a = make_household(district=baku)
    b = make_household(district=ganja)
    c = make_household(district=baku)

    great_grandmother = make_person(birth_date=D(1920, 1, 1), death_date=D(2000, 5, 5))
    adil = make_person(birth_date=D(1980, 2, 2), sex="M")
    leyla = make_person(birth_date=D(1982, 7, 7), sex="F", citizenship="",
                          residence_status=models.ResidenceStatus.TEMPORARY)
    baby = make_person(birth_date=D(2026, 3, 10), sex="F", mother=leyla, father=adil)
    nana = make_person(birth_date=D(1950, 1, 1), sex="F", death_date=D(2026, 3, 20),
                         mother=great_grandmother)
    dead = make_person(birth_date=D(1990, 1, 1), death_date=D(2026, 2, 27))
    gone = make_person(birth_date=D(1991, 1, 1))
    mover = make_person(birth_date=D(1992, 1, 1))
    rauf = make_person(birth_date=D(1970, 1, 1))

    for person, role in ((adil, "head"), (leyla, "spouse"), (nana, "parent"), (dead, "other")):
        make_member(household=a, person=person, role=role, joined_on=D(2010, 1, 1))
    make_member(household=a, person=baby, role="child", joined_on=D(2026, 3, 10))
    make_member(household=c, person=gone, role="head", joined_on=D(2010, 1, 1),
                      left_on=D(2026, 2, 28))
    # The mover left A during the month and joined B: the latest membership wins.
    make_member(household=a, person=mover, role="other", joined_on=D(2010, 1, 1),
                      left_on=D(2026, 3, 10))
    make_member(household=b, person=mover, role="other", joined_on=D(2026, 3, 11))
    make_member(household=b, person=rauf, role="head", joined_on=D(2020, 1, 1))

    # Adil's incomes.
    for month, kind, amount, extra in (
        (D(2026, 2, 1), "wage", "100.00", {}),        # 12m, 3m, wage
        (D(2026, 3, 1), "wage", "1000.00", {}),       # the period month: never
        (D(2025, 3, 1), "wage", "10.00", {}),         # first of the 12 months: 12m, wage
        (D(2025, 2, 1), "wage", "10000.00", {}),      # 13 months back: never
        (D(2025, 12, 1), "pension", "5.00", {}),      # first of the 3 months: 12m, 3m, pension
        (D(2025, 11, 1), "pension", "7.00", {}),      # 4 months back: 12m only
        (D(2026, 1, 1), "benefit", "20.50", RETRACTED),  # retracted: never
        (D(2026, 1, 1), "other", "0.10", {}),         # 12m, 3m
        (D(2026, 1, 1), "alimony", "0.20", {}),       # 12m, 3m
    ):
        make_income(person=adil, month=month, type=kind, amount=Decimal(amount), **extra)
    make_income(person=nana, month=D(2026, 1, 1), type="pension", amount=Decimal("300.00"))
    make_income(person=dead, month=D(2026, 1, 1), type="wage", amount=Decimal("900.00"))

    # Adil's contracts. Covered months of 2024-03 … 2026-02: 2024-03 … 2024-06 (4) from the
    # first, 2025-01 … 2026-02 (14) from the second; the third overlaps the second: 18.
    for start, end, extra in (
        (D(2023, 1, 1), D(2024, 6, 30), {}),
        (D(2025, 1, 15), None, {}),
        (D(2025, 6, 1), D(2025, 8, 31), {}),
        (D(2024, 9, 1), D(2025, 12, 31), RETRACTED),  # would add 2024-09 … 2024-12
    ):
        fact(models.EmploymentContract, person=adil, employer_name="Azersu", start_date=start,
             end_date=end, monthly_wage=Decimal("100.00"), **extra)
    # Rauf's contract starts in the month: not employed on the first day, no covered month.
    fact(models.EmploymentContract, person=rauf, employer_name="Socar",
         start_date=D(2026, 3, 15), monthly_wage=Decimal("900.00"))
    # The mover's contracts: 2025-11 … 2026-01 and 2026-01 … 2026-02 share January; the latest
    # ended the day before the first day.
    fact(models.EmploymentContract, person=mover, employer_name="Socar",
         start_date=D(2026, 1, 1), end_date=D(2026, 2, 28), monthly_wage=Decimal("900.00"))
    fact(models.EmploymentContract, person=mover, employer_name="Azersu",
         start_date=D(2025, 11, 5), end_date=D(2026, 1, 10), monthly_wage=Decimal("900.00"))

    for as_of, months, capital, extra in (
        (D(2025, 1, 1), 100, "1000.00", {}),
        (D(2026, 3, 1), 120, "1500.50", {}),   # on the first day: the latest that counts
        (D(2026, 3, 2), 121, "1600.00", {}),   # after the first day
        (D(2026, 2, 15), 999, "9999.00", RETRACTED),
    ):
        fact(models.InsuranceRecord, person=adil, as_of=as_of, record_months=months,
             pension_capital=Decimal(capital), **extra)

    for offered_on, suitable, refused in (
        (D(2025, 3, 1), True, True),    # first day of the 12 months: counts
        (D(2026, 2, 28), True, True),   # last day of the 12 months: counts
        (D(2025, 2, 28), True, True),   # 13 months back
        (D(2025, 6, 1), False, True),   # not suitable
        (D(2025, 7, 1), True, False),   # accepted
        (D(2026, 3, 5), True, True),    # in the period month
    ):
        fact(models.JobOffer, person=adil, offered_on=offered_on, employer_name="Azersu",
             suitable=suitable, refused=refused)

    fact(models.PersonStatus, person=adil, kind="jobseeker", valid_from=D(2025, 10, 1))
    fact(models.PersonStatus, person=rauf, kind="jobseeker", valid_from=D(2025, 10, 1),
         valid_to=D(2026, 2, 28))
    # Leyla: abroad up to and including the first day (active), imprisonment ended before.
    fact(models.PersonStatus, person=leyla, kind="abroad", valid_from=D(2025, 1, 1),
         valid_to=D(2026, 3, 1))
    fact(models.PersonStatus, person=leyla, kind="imprisoned", valid_from=D(2024, 1, 1),
         valid_to=D(2025, 12, 31))
    fact(models.PersonStatus, person=rauf, kind="conscript", valid_from=D(2024, 1, 1),
         valid_to=D(2026, 2, 28))
    fact(models.PersonStatus, person=rauf, kind="wanted", valid_from=D(2026, 3, 2))
    fact(models.PersonStatus, person=mover, kind="state_care", valid_from=D(2026, 1, 1),
         **RETRACTED)

    fact(models.DisabilityDetermination, person=leyla, impairment_percent=40, group=3,
         valid_from=D(2025, 1, 1), valid_to=D(2026, 2, 28))
    fact(models.DisabilityDetermination, person=leyla, impairment_percent=60, group=2,
         valid_from=D(2026, 3, 1))
    fact(models.DisabilityDetermination, person=baby, impairment_percent=80, group=None,
         valid_from=D(2026, 3, 10))  # valid from after the first day

    # Household A's vehicles: one car (bought 2025-06-10 for 8000: a purchase), one sold
    # before the month, one retracted, and Leyla's rehabilitation car (issued, not a purchase).
    fact(models.Vehicle, person=adil, registration_number="10-AA-001", acquired_on=D(2025, 6, 10),
         value=Decimal("8000.00"))
    fact(models.Vehicle, person=adil, registration_number="10-AA-002", acquired_on=D(2020, 1, 1),
         disposed_on=D(2026, 2, 1), value=Decimal("3000.00"))
    fact(models.Vehicle, person=adil, registration_number="10-AA-003", acquired_on=D(2025, 7, 1),
         value=Decimal("7777.00"), **RETRACTED)
    fact(models.Vehicle, person=leyla, registration_number="10-AA-004",
         acquired_on=D(2025, 9, 1), value=Decimal("5000.00"), issued_for_rehabilitation=True)
    # The person who died before the month is not a member any more: his car is not A's.
    fact(models.Vehicle, person=dead, registration_number="10-AA-005", acquired_on=D(2025, 5, 1),
         value=Decimal("4444.00"))

    # Household A's real estate held on the first day: residential Nizami 1 (Adil and Leyla
    # co-own it: one address) and Nizami 5; land Plot 7. Residential at 2 distinct addresses is
    # the maximum. Purchases in the 12 months: Plot 7 (2025-03-01, 2000).
    for person, purpose, address, acquired, disposed, value, extra in (
        (adil, "residential", "Nizami 1", D(2015, 1, 1), None, "50000.00", {}),
        (leyla, "residential", "Nizami 1 ", D(2015, 1, 1), None, "50000.00", {}),
        (adil, "residential", "Nizami 5", D(2025, 2, 28), None, "99999.00", {}),  # 13 months
        (adil, "land", "Plot 7", D(2025, 3, 1), None, "2000.00", {}),
        (adil, "residential", "Old 3", D(2010, 1, 1), D(2026, 2, 1), "1.00", {}),  # sold
        (adil, "residential", "Fake 9", D(2010, 1, 1), None, "1.00", RETRACTED),
        (adil, "residential", "New 2", D(2026, 3, 2), None, "77777.00", {}),  # in the month
    ):
        fact(models.RealEstate, person=person, purpose=purpose, address=address,
             acquired_on=acquired, disposed_on=disposed, value=Decimal(value), **extra)

    # Household A's utilities: months with data 2026-02 (30 + 20), 2025-12 (10) and 2025-03
    # (16): (50 + 10 + 16) / 3 = 25.333… -> 25.33.
    for month, kind, amount, extra in (
        (D(2026, 2, 1), "electricity", "30.00", {}),
        (D(2026, 2, 1), "gas", "20.00", {}),
        (D(2025, 12, 1), "water", "10.00", {}),
        (D(2025, 3, 1), "gas", "16.00", {}),
        (D(2025, 2, 1), "gas", "1000.00", {}),    # 13 months back
        (D(2026, 3, 1), "gas", "500.00", {}),     # the period month
        (D(2026, 1, 1), "gas", "999.00", RETRACTED),
    ):
        fact(models.UtilitySpending, household=a, month=month, kind=kind,
             amount=Decimal(amount), **extra)

    return World(a=a, b=b, c=c, adil=adil, leyla=leyla, baby=baby, nana=nana, dead=dead,
                 gone=gone, mover=mover, rauf=rauf)


def row(frame: pl.DataFrame, key: str, value: int) -> dict[str, Any]:
    rows = frame.filter(pl.col(key) == value).to_dicts()
    assert len(rows) == 1, f"{key}={value}: {len(rows)} rows"
    return rows[0]


NOTHING = {
    "exclusion_status": None, "registered_jobseeker": False, "income_12m": 0.0,
    "income_3m": 0.0, "wage_12m": 0.0, "pension_3m": 0.0, "employed": False,
    "employment_end_date": None, "insured_months_24m": 0, "insurance_record_months": 0,
    "pension_capital": 0.0, "disability_percent": None, "disability_group": None,
    "job_offers_refused_12m": 0, "deceased_parents": 0, "death_date": None,
}


def test_it_exports_every_person_column_as_worked_out_by_hand() -> None:
    world = build_world()
    persons = period_snapshot("2026-03").persons

    # In: Adil, Leyla, the baby (born in the month), Nana (died in the month), the mover (in B),
    # Rauf. Out: the man who died before the month, the one whose membership ended before it.
    assert persons["person_id"].to_list() == sorted(
        p.pk for p in (world.adil, world.leyla, world.baby, world.nana, world.mover, world.rauf)
    )
    assert dict(persons.schema) == PERSON_SCHEMA

    assert row(persons, "person_id", world.adil.pk) == {
        **NOTHING,
        "person_id": world.adil.pk, "household_id": world.a.pk, "role": "head",
        "personal_id": world.adil.personal_id, "sex": "M", "birth_date": D(1980, 2, 2),
        "citizenship": "AZ", "residence_status": "permanent",
        "registered_jobseeker": True,
        "income_12m": 122.3,   # 100 + 10 + 5 + 7 + 0.10 + 0.20
        "income_3m": 105.3,    # 100 + 5 + 0.10 + 0.20
        "wage_12m": 110.0,     # 100 + 10
        "pension_3m": 5.0,
        "employed": True,
        "employment_end_date": D(2025, 8, 31),  # the latest of 2024-06-30 and 2025-08-31
        "insured_months_24m": 18,
        "insurance_record_months": 120, "pension_capital": 1500.5,
        "job_offers_refused_12m": 2,
    }
    assert row(persons, "person_id", world.leyla.pk) == {
        **NOTHING,
        "person_id": world.leyla.pk, "household_id": world.a.pk, "role": "spouse",
        "personal_id": world.leyla.personal_id, "sex": "F", "birth_date": D(1982, 7, 7),
        "citizenship": "", "residence_status": "temporary",
        "exclusion_status": "abroad",
        "disability_percent": 60, "disability_group": 2,
    }
    assert row(persons, "person_id", world.baby.pk) == {
        **NOTHING,
        "person_id": world.baby.pk, "household_id": world.a.pk, "role": "child",
        "personal_id": world.baby.personal_id, "sex": "F", "birth_date": D(2026, 3, 10),
        "citizenship": "AZ", "residence_status": "permanent",
    }
    assert row(persons, "person_id", world.nana.pk) == {
        **NOTHING,
        "person_id": world.nana.pk, "household_id": world.a.pk, "role": "parent",
        "personal_id": world.nana.personal_id, "sex": "F", "birth_date": D(1950, 1, 1),
        "death_date": D(2026, 3, 20), "citizenship": "AZ", "residence_status": "permanent",
        "income_12m": 300.0, "income_3m": 300.0, "pension_3m": 300.0,
        "deceased_parents": 1,  # her mother died in 2000, her father is not recorded
    }
    assert row(persons, "person_id", world.mover.pk) == {
        **NOTHING,
        "person_id": world.mover.pk, "household_id": world.b.pk, "role": "other",
        "personal_id": world.mover.personal_id, "sex": "M", "birth_date": D(1992, 1, 1),
        "citizenship": "AZ", "residence_status": "permanent",
        "employment_end_date": D(2026, 2, 28),
        "insured_months_24m": 4,  # 2025-11, 2025-12, 2026-01 (once), 2026-02
    }
    # Rauf: conscription and jobseeker status ended the day before the first day, wanted only
    # from the day after, contract starting in the month: nothing.
    assert row(persons, "person_id", world.rauf.pk) == {
        **NOTHING,
        "person_id": world.rauf.pk, "household_id": world.b.pk, "role": "head",
        "personal_id": world.rauf.personal_id, "sex": "M", "birth_date": D(1970, 1, 1),
        "citizenship": "AZ", "residence_status": "permanent",
    }


def test_it_counts_parents_who_died_by_the_end_of_the_month() -> None:
    world = build_world()
    models.Person.objects.filter(pk=world.adil.pk).update(death_date=D(2026, 3, 31))
    models.Person.objects.filter(pk=world.leyla.pk).update(death_date=D(2026, 4, 1))
    baby = row(period_snapshot("2026-03").persons, "person_id", world.baby.pk)
    assert baby["deceased_parents"] == 1  # the father on the last day; the mother after it


def test_it_exports_every_household_column_as_worked_out_by_hand() -> None:
    world = build_world()
    households = period_snapshot("2026-03").households

    # C's only member left before the month: no person row, no household row.
    assert households["household_id"].to_list() == sorted([world.a.pk, world.b.pk])
    assert dict(households.schema) == HOUSEHOLD_SCHEMA
    assert row(households, "household_id", world.a.pk) == {
        "household_id": world.a.pk, "region": "AZ-BA", "district": "AZ-BA-01",
        "vehicles": 1,                        # 10-AA-001; 002 sold, 003 retracted
        "vehicles_rehab": 1,                  # Leyla's 10-AA-004
        "real_estate_same_purpose_max": 2,    # residential: Nizami 1 (twice), Nizami 5
        "purchases_12m": 10000.0,             # car 8000 + Plot 7 2000
        "utilities_monthly": 25.33,           # 76 / 3
    }
    assert row(households, "household_id", world.b.pk) == {
        "household_id": world.b.pk, "region": "AZ-GA", "district": "AZ-GA-01",
        "vehicles": 0, "vehicles_rehab": 0, "real_estate_same_purpose_max": 0,
        "purchases_12m": 0.0, "utilities_monthly": 0.0,
    }


def test_it_reads_the_registry_with_a_fixed_number_of_queries() -> None:
    build_world()
    with CaptureQueriesContext(connection) as small:
        period_snapshot("2026-03")
    for n in range(5):
        hh = make_household()
        for role in ("head", "spouse", "child"):
            person = make_person()
            make_member(household=hh, person=person, role=role)
            make_income(person=person, month=D(2026, 1 + n % 2, 1))
    with CaptureQueriesContext(connection) as larger:
        period_snapshot("2026-03")
    # One SELECT per part of a frame (on PostgreSQL the COPYs do not even reach the query log).
    reads = ("SELECT", "WITH")
    selects = [q for q in small.captured_queries if q["sql"].lstrip().startswith(reads)]
    parts = len(person_parts(connection.vendor)) + len(household_parts())
    assert len(selects) == (0 if connection.vendor == "postgresql" else parts)
    assert len(larger) == len(small)


def test_it_exports_only_the_households_asked_for_with_the_same_values() -> None:
    world = build_world()
    full = period_snapshot("2026-03")
    only_b = period_snapshot("2026-03", household_ids=[world.b.pk, world.c.pk])

    # B as in the full export; C has no member in the month; the mover, who left A for B during
    # the month, is B's only (not A's, though A's membership also overlaps the month).
    assert only_b.persons.equals(full.persons.filter(pl.col("household_id") == world.b.pk))
    assert only_b.households.equals(full.households.filter(pl.col("household_id") == world.b.pk))
    only_a = period_snapshot("2026-03", household_ids=[world.a.pk])
    assert only_a.persons.equals(full.persons.filter(pl.col("household_id") == world.a.pk))
    assert only_a.households.equals(full.households.filter(pl.col("household_id") == world.a.pk))
    assert world.mover.pk not in only_a.persons["person_id"].to_list()
    nothing = period_snapshot("2026-03", household_ids=[])
    assert (nothing.persons.height, nothing.households.height) == (0, 0)


def test_it_replaces_a_members_table_left_over_on_the_connection() -> None:
    world = build_world()
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE snapshot_members (stale integer)")
    persons = period_snapshot("2026-03").persons
    assert world.adil.pk in persons["person_id"].to_list()
    with connection.cursor() as cursor:  # and it is gone afterwards
        cursor.execute("CREATE TEMPORARY TABLE snapshot_members (stale integer)")


@pytest.mark.parametrize("period", ["2026-3", "2026-13", "2026-00", "26-03", "2026-03-01", ""])
def test_it_refuses_a_period_that_is_not_a_month(period: str) -> None:
    with pytest.raises(SnapshotPeriodError, match=re.escape(str(INVALID_PERIOD))):
        period_snapshot(period)


def test_it_writes_both_frames_as_parquet(tmp_path: Path) -> None:
    build_world()
    snapshot = period_snapshot("2026-03")
    persons_path, households_path = snapshot_write(snapshot, tmp_path / "out")
    assert pl.read_parquet(persons_path).equals(snapshot.persons)
    assert pl.read_parquet(households_path).equals(snapshot.households)
    # The files keep the contract's types (code lists Categorical, dictionary-encoded) and
    # are not compressed, which the rules engine reads fastest.
    assert dict(pl.read_parquet_schema(persons_path)) == PERSON_SCHEMA
    assert dict(pl.read_parquet_schema(households_path)) == HOUSEHOLD_SCHEMA
    assert PERSON_SCHEMA["citizenship"] == pl.Categorical()
    metadata = pq.ParquetFile(persons_path).metadata.row_group(0)
    assert {metadata.column(i).compression for i in range(metadata.num_columns)} == {"UNCOMPRESSED"}


def test_it_writes_the_snapshot_from_the_command(tmp_path: Path) -> None:
    world = build_world()
    call_command("snapshot", period="2026-03", output=str(tmp_path))
    persons = pl.read_parquet(tmp_path / "persons.parquet")
    households = pl.read_parquet(tmp_path / "households.parquet")
    assert persons.height == 6
    assert households["household_id"].to_list() == sorted([world.a.pk, world.b.pk])


def test_it_refuses_a_bad_period_on_the_command_line(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=re.escape(str(INVALID_PERIOD))):
        call_command("snapshot", period="March", output=str(tmp_path))


def test_it_documents_exactly_the_columns_it_exports() -> None:
    doc = (Path(__file__).resolve().parents[3] / "docs" / "snapshot.md").read_text()
    persons_part, households_part = doc.split("## `households`")
    documented = re.compile(r"^\| `([a-z0-9_]+)` \|", re.MULTILINE)
    assert documented.findall(persons_part) == list(PERSON_SCHEMA)
    assert documented.findall(households_part) == list(HOUSEHOLD_SCHEMA)


def test_it_is_empty_for_a_month_before_anyone_joined() -> None:
    build_world()
    snapshot = period_snapshot("2000-01")
    assert snapshot.persons.height == 0
    assert snapshot.households.height == 0
    assert dict(snapshot.persons.schema) == PERSON_SCHEMA
