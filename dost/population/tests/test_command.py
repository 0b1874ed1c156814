from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from dost.registry.models import District, Household, Income, JobOffer, Membership, Person


def test_it_generates_files_and_reports_the_rows(tmp_path: Path):
    out = StringIO()
    call_command("population", "generate", "--country", "az", "--persons", "1_200",
                 "--output", str(tmp_path / "az"), stdout=out)
    text = out.getvalue()
    assert "1,200 persons" in text
    assert "incomes" in text
    assert (tmp_path / "az" / "persons.parquet").exists()


@pytest.mark.django_db(transaction=True)
@override_settings(DOST_COUNTRY="az")
def test_it_loads_the_generated_files_into_the_registry(tmp_path: Path):
    call_command("population", "generate", "--country", "az", "--persons", "800",
                 "--output", str(tmp_path / "az"), "--load", stdout=StringIO(),
                 stderr=StringIO())
    assert Person.objects.count() == 800
    assert Membership.objects.count() == 800
    assert Household.objects.count() > 150
    assert Income.objects.count() > 5_000
    assert District.objects.filter(region__country="az").count() >= 60
    assert JobOffer.objects.exists()


@override_settings(DOST_COUNTRY="az")
def test_it_refuses_to_load_another_countrys_population(tmp_path: Path):
    with pytest.raises(CommandError, match="DOST_COUNTRY"):
        call_command("population", "generate", "--country", "uz", "--persons", "10",
                     "--output", str(tmp_path), "--load", stdout=StringIO())
    assert not (tmp_path / "persons.parquet").exists()


def test_it_refuses_a_non_positive_size():
    with pytest.raises(CommandError):
        call_command("population", "generate", "--country", "az", "--persons", "0")


def test_it_writes_to_the_data_directory_by_default(tmp_path: Path):
    with override_settings(DATA_DIR=tmp_path):
        call_command("population", "generate", "--country", "uz", "--persons", "50",
                     stdout=StringIO())
    assert (tmp_path / "population" / "uz-50" / "utilities.parquet").exists()
