"""The countries' regions and districts, kept as YAML beside this module.

`geography_read` parses a country's file (no database, so the synthetic population generator can
use the same codes and weights outside Django); `geography_load` writes it to Region and District
rows. Each file names regions in all four interface languages and districts in the local
language, Russian and English; a missing language falls back to the English name so that every
row carries az, uz, ru and en.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext_lazy as _

GEOGRAPHY_DIR = Path(__file__).resolve().parent
LANGUAGES = ("az", "uz", "ru", "en")
LOCAL_LANGUAGE = {"az": "az", "uz": "uz"}

UNKNOWN_COUNTRY = _("There is no geography file for this country; use az or uz.")


@dataclass(frozen=True)
class DistrictData:
    code: str
    names: dict[str, str]
    population: float
    urban: bool

    def name_in(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


@dataclass(frozen=True)
class RegionData:
    code: str
    names: dict[str, str]
    soato: int
    districts: tuple[DistrictData, ...]

    def name_in(self, language: str) -> str:
        return self.names.get(language) or self.names["en"]


@dataclass(frozen=True)
class Geography:
    country: str
    regions: tuple[RegionData, ...]

    @property
    def districts(self) -> tuple[DistrictData, ...]:
        return tuple(d for r in self.regions for d in r.districts)

    def region_of(self, district_code: str) -> RegionData:
        for region in self.regions:
            if any(d.code == district_code for d in region.districts):
                return region
        raise KeyError(district_code)


def _names(raw: dict[str, Any]) -> dict[str, str]:
    names = {str(k): str(v) for k, v in raw.items()}
    return {lang: names.get(lang) or names["en"] for lang in LANGUAGES}


@cache
def geography_read(*, country: str) -> Geography:
    """The parsed geography of `country` ("az" or "uz")."""
    path = GEOGRAPHY_DIR / f"{country}.yaml"
    if country not in LOCAL_LANGUAGE or not path.exists():
        raise ValueError(str(UNKNOWN_COUNTRY))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    regions = []
    for index, raw_region in enumerate(data["regions"], start=1):
        districts = tuple(
            DistrictData(
                code=str(raw["code"]),
                names=_names(raw["names"]),
                population=float(raw["population"]),
                urban=bool(raw.get("urban", False)),
            )
            for raw in raw_region["districts"]
        )
        regions.append(
            RegionData(
                code=str(raw_region["code"]),
                names=_names(raw_region["names"]),
                # AZ has no SOATO-like code in its file: the region's position stands in.
                soato=int(raw_region.get("soato", index)),
                districts=districts,
            )
        )
    return Geography(country=country, regions=tuple(regions))


def geography_load(*, country: str) -> int:
    """Create or update the country's Region and District rows from its YAML file.

    Idempotent: returns how many rows were created or changed (0 when already up to date).
    Rows that are no longer in the file are left alone: households may point at them.
    """
    from django.db import transaction

    from dost.registry.models import District, Region

    geography = geography_read(country=country)
    local = LOCAL_LANGUAGE[country]
    changed = 0
    with transaction.atomic():
        existing_regions = {r.code: r for r in Region.objects.filter(country=country)}
        existing_districts = {
            d.code: d for d in District.objects.filter(region__country=country)
        }
        for region_data in geography.regions:
            region = existing_regions.get(region_data.code)
            region_name = region_data.name_in(local)
            if region is None:
                region = Region.objects.create(
                    country=country, code=region_data.code, name=region_name,
                    names=region_data.names,
                )
                changed += 1
            elif region.name != region_name or region.names != region_data.names:
                region.name = region_name
                region.names = region_data.names
                region.save(update_fields=["name", "names"])
                changed += 1
            for district_data in region_data.districts:
                district = existing_districts.get(district_data.code)
                district_name = district_data.name_in(local)
                if district is None:
                    District.objects.create(
                        region=region, code=district_data.code, name=district_name,
                        names=district_data.names,
                    )
                    changed += 1
                elif (
                    district.region_id != region.pk
                    or district.name != district_name
                    or district.names != district_data.names
                ):
                    district.region = region
                    district.name = district_name
                    district.names = district_data.names
                    district.save(update_fields=["region", "name", "names"])
                    changed += 1
    return changed
