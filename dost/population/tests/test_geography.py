from __future__ import annotations

import pytest

from dost.registry.geography import LANGUAGES, geography_load, geography_read
from dost.registry.models import District, Region


def test_it_describes_azerbaijans_economic_regions_and_districts():
    geography = geography_read(country="az")
    assert len(geography.regions) == 14
    assert len(geography.districts) >= 60
    codes = [d.code for d in geography.districts]
    assert len(codes) == len(set(codes))
    assert {"AZ-BA-01", "AZ-AX-01", "AZ-GD-01"} <= set(codes)  # Binəqədi, Sumqayıt, Gəncə
    assert geography.region_of("AZ-AX-01").names["en"] == "Absheron-Khizi"
    assert all(d.population > 0 for d in geography.districts)


def test_it_describes_uzbekistans_regions_and_tumans():
    geography = geography_read(country="uz")
    assert len(geography.regions) == 14  # Tashkent city, Karakalpakstan and 12 viloyats
    assert len(geography.districts) >= 40
    assert len({r.soato for r in geography.regions}) == 14
    assert geography.region_of("UZ-TK-02").names["uz"] == "Toshkent shahri"


def test_it_refuses_a_country_without_a_file():
    with pytest.raises(ValueError, match="az or uz"):
        geography_read(country="kz")


@pytest.mark.django_db
def test_it_loads_regions_and_districts_with_names_in_four_languages():
    changed = geography_load(country="az")
    geography = geography_read(country="az")
    assert changed == len(geography.regions) + len(geography.districts)
    assert Region.objects.filter(country="az").count() == 14
    district = District.objects.get(code="AZ-BA-01")
    assert district.name == "Binəqədi"
    assert district.region.code == "AZ-BA"
    assert set(district.names) == set(LANGUAGES)
    assert district.names["ru"] == "Бинагади"


@pytest.mark.django_db
def test_it_is_idempotent_and_repairs_changed_rows():
    geography_load(country="uz")
    assert geography_load(country="uz") == 0
    District.objects.filter(code="UZ-TK-02").update(name="Wrong")
    assert geography_load(country="uz") == 1
    assert District.objects.get(code="UZ-TK-02").name == "Chilonzor"
    assert District.objects.filter(region__country="uz").count() == len(
        geography_read(country="uz").districts
    )


@pytest.mark.django_db
def test_it_completes_a_region_made_elsewhere():
    Region.objects.create(country="az", code="AZ-BA", name="Bakı")
    geography_load(country="az")
    region = Region.objects.get(code="AZ-BA")
    assert region.names["en"] == "Baku"
    assert Region.objects.filter(code="AZ-BA").count() == 1
