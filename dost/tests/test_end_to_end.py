"""The data path end to end: synthetic population -> bulk import -> period snapshot -> rules.

This is the only place the registry and the rules meet in a test: the snapshot's columns must be
what the rulebooks read, and the generated country must look like the real one to the law.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from django.core.management import call_command
from django.test import override_settings

from dost.population.services import population_generate
from dost.registry.geography import geography_load
from dost.registry.importing import import_directory
from dost.registry.models import Household, Person
from dost.registry.snapshot import period_snapshot
from dost.rules import evaluate_population, load_rulebook
from dost.rules.evaluate import aligned


@pytest.mark.django_db(transaction=True)
def test_it_gives_azerbaijan_tssa_coverage_in_the_low_single_digits(tmp_path: Path) -> None:
    geography_load(country="az")
    population_generate(country="az", persons=6000, output=tmp_path / "pop", seed=7)
    import_directory(tmp_path / "pop").raise_if_rejected()

    snapshot = period_snapshot("2026-06")
    # Members come household by household, so the engine passes values down by position.
    assert aligned(snapshot.persons, snapshot.households)
    book = load_rulebook("az")
    persons, households = pl.collect_all(
        evaluate_population(book, "2026-06", snapshot.persons.lazy(), snapshot.households.lazy())
    )

    assert households.height == snapshot.households.height > 1000
    coverage = households.select((pl.col("tssa_amount") > 0).mean()).item()
    # Real TSSA reaches about 3 % of Azerbaijani households; "low single digits" is 1-6 %.
    assert 0.01 <= coverage <= 0.06, coverage
    # Amounts obey the law's formula (members x 300 AZN - average income, art. 4 of the TSSA
    # law, need criterion for 2026) wherever no refusal ground applies.
    paid = households.filter(pl.col("tssa_amount") > 0)
    expected = (pl.col("tssa_family_size") * 300 - pl.col("tssa_average_income")).round(2)
    assert paid.select((pl.col("tssa_amount") - expected).abs().max()).item() < 0.011
    assert paid.select(pl.col("tssa_refusal_reasons").list.len().max()).item() == 0
    # Every benefit of the rulebook reaches somebody in a country of 6,000.
    for output in ("disability_benefit", "old_age_pension_amount", "unemployment_benefit"):
        assert persons.select((pl.col(output) > 0).sum()).item() > 0, output


@pytest.mark.django_db(transaction=True)
@override_settings(DOST_COUNTRY="uz")
def test_it_runs_the_uzbek_rulebook_over_an_uzbek_population(tmp_path: Path) -> None:
    geography_load(country="uz")
    population_generate(country="uz", persons=3000, output=tmp_path / "pop", seed=7)
    import_directory(tmp_path / "pop").raise_if_rejected()

    snapshot = period_snapshot("2026-06")
    _, households = pl.collect_all(
        evaluate_population(
            load_rulebook("uz"), "2026-06", snapshot.persons.lazy(), snapshot.households.lazy()
        )
    )
    paid = households.filter(
        (pl.col("child_allowance_total") > 0) | (pl.col("material_assistance") > 0)
    ).height
    assert 0.01 <= paid / households.height <= 0.12


@pytest.mark.django_db(transaction=True)
def test_it_prepares_the_demo_with_population_and_accounts(tmp_path: Path) -> None:
    with override_settings(DATA_DIR=tmp_path):
        call_command("demo", persons=300)
        persons = Person.objects.count()
        call_command("demo", persons=300)  # a second start keeps what is there

    # 300 generated persons and the baby of the demo's birth event, applied once.
    assert persons == Person.objects.count() == 301
    from dost.registry.models import LifeEvent

    assert sorted(LifeEvent.objects.values_list("type", flat=True)) == [
        "birth", "disability_determined"
    ]
    assert Household.objects.exists()
    from django.contrib.auth.models import User

    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="supervisor").has_perm("registry.approve_changerequest")
    assert User.objects.get(username="operator").has_perm("centres.operate_counter")
    from dost.centres.models import Centre

    centre = Centre.objects.get(code="baku-1")
    assert centre.counters.count() == 4
    assert all(group.services.exists() for group in centre.service_groups.all())
