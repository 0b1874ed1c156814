"""Name pools drawn once from Faker's locale data, then indexed with NumPy for every person.

Calling Faker per person would cost minutes at 10M persons; the pools are small arrays and a
person's name is an index into them. Surnames are kept as a family root in the male form with its
female form beside it (Əliyev/Əliyeva, Tapdıqoğlu/Tapdıqqızı), so a family shares one root.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from faker import Faker

FAKER_LOCALES = {"az": "az_AZ", "uz": "uz_UZ"}
PATRONYMIC_SUFFIXES = {"az": (" oğlu", " qızı"), "uz": (" oʻgʻli", " qizi")}
STREET_WORDS = {"az": "küç.", "uz": "koʻchasi"}
EMPLOYER_FORMS = {"az": ("MMC", "ASC", "QSC"), "uz": ("MChJ", "AJ", "XK")}


@dataclass(frozen=True)
class NamePools:
    first_male: tuple[str, ...]
    first_female: tuple[str, ...]
    last_male: tuple[str, ...]
    last_female: tuple[str, ...]
    patronymic_male: str
    patronymic_female: str
    streets: tuple[str, ...]
    employers: tuple[str, ...]


def _unique(values: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))


def feminine_surname(country: str, male: str) -> str:
    if country == "az" and male.endswith("oğlu"):
        return male[: -len("oğlu")] + "qızı"
    if male.endswith(("ov", "ev", "yev")):
        return male + "a"
    return male


@cache
def name_pools(country: str) -> NamePools:
    """The pools for a country; deterministic (a fixed Faker seed, pools sorted)."""
    fake = Faker(FAKER_LOCALES[country])
    fake.seed_instance(20261115)
    first_male = sorted(_unique([fake.first_name_male() for _ in range(3000)]))
    first_female = sorted(_unique([fake.first_name_female() for _ in range(3000)]))
    last_male = sorted(_unique([fake.last_name_male() for _ in range(3000)]))
    last_female = [feminine_surname(country, name) for name in last_male]
    street_word = STREET_WORDS[country]
    streets = sorted(_unique([f"{name} {street_word}" for name in first_male[:150]]))
    forms = EMPLOYER_FORMS[country]
    employers = [
        f"{last_male[i % len(last_male)]} {first_male[(7 * i) % len(first_male)]} "
        f"{forms[i % len(forms)]}"
        for i in range(400)
    ]
    male_suffix, female_suffix = PATRONYMIC_SUFFIXES[country]
    return NamePools(
        first_male=tuple(first_male),
        first_female=tuple(first_female),
        last_male=tuple(last_male),
        last_female=tuple(last_female),
        patronymic_male=male_suffix,
        patronymic_female=female_suffix,
        streets=tuple(streets),
        employers=tuple(dict.fromkeys(employers)),
    )
