"""Households and the persons in them: sizes, roles, ages, sexes, parents, births and deaths.

A household is laid out as slots: the head, then a spouse (if any), the head's parents, other
relatives, and the children. Ages are drawn per household type (a lone elderly person, a young
couple, a family with children, three generations), so the age pyramid comes out of family
structure rather than being imposed. Children's mother and father are the woman and man of the
couple; the head's own parents, when they live in, are the `parent` members.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from dost.population.calendar import (
    DAYS_PER_YEAR,
    NO_DATE,
    REFERENCE_DAY,
    BoolArray,
    FloatArray,
    IntArray,
    add_years,
    day_of,
)
from dost.population.profiles import FIRST_MONTH, CountryProfile
from dost.registry.geography import Geography

HEAD, SPOUSE, CHILD, PARENT, OTHER = 0, 1, 2, 3, 4
ROLES = ("head", "spouse", "child", "parent", "other")
WINDOW_START_DAY = day_of(dt.date(FIRST_MONTH[0], FIRST_MONTH[1], 1))

# Citizenship codes: 0 the country's own, 1..k an index into profile.foreign_citizenships + 1,
# -1 stateless.
STATELESS = -1


@dataclass
class Households:
    global_index: IntArray
    district: IntArray
    urban: BoolArray
    created: IntArray
    size: IntArray
    start: IntArray
    poor: BoolArray
    surname: IntArray
    street: IntArray
    house: IntArray
    flat: IntArray

    def __len__(self) -> int:
        return len(self.global_index)


@dataclass
class Persons:
    global_index: IntArray
    household: IntArray
    role: IntArray
    male: BoolArray
    age: FloatArray
    birth: IntArray
    death: IntArray
    mother: IntArray
    father: IntArray
    joined: IntArray
    first_name: IntArray
    surname: IntArray
    patronymic: IntArray
    citizenship: IntArray
    residence: IntArray

    def __len__(self) -> int:
        return len(self.global_index)

    @property
    def alive(self) -> BoolArray:
        result: BoolArray = self.death == NO_DATE
        return result


def _household_sizes(
    rng: np.random.Generator, profile: CountryProfile, persons: int
) -> IntArray:
    weights = np.asarray(profile.household_size_weights, dtype=np.float64)
    weights /= weights.sum()
    values = np.arange(1, len(weights) + 1)
    mean = float((values * weights).sum())
    sizes = rng.choice(values, size=int(persons / mean * 1.2) + 16, p=weights)
    while sizes.sum() < persons:
        sizes = np.concatenate([sizes, rng.choice(values, size=len(sizes) // 4 + 16, p=weights)])
    cumulative = np.cumsum(sizes)
    count = int(np.searchsorted(cumulative, persons)) + 1
    sizes = sizes[:count].astype(np.int64)
    sizes[-1] -= int(cumulative[count - 1]) - persons
    return sizes


def generate_people(
    *,
    rng: np.random.Generator,
    profile: CountryProfile,
    geography: Geography,
    persons: int,
    person_offset: int,
    household_offset: int,
    surname_count: int,
    first_male_count: int,
    first_female_count: int,
    street_count: int,
) -> tuple[Households, Persons]:
    """One chunk of households with exactly `persons` members in total."""
    sizes = _household_sizes(rng, profile, persons)
    n_households = len(sizes)
    districts = geography.districts
    weights = np.array([d.population for d in districts], dtype=np.float64)
    district = rng.choice(len(districts), size=n_households, p=weights / weights.sum())
    urban_by_district = np.array([d.urban for d in districts], dtype=np.bool_)
    urban = urban_by_district[district]

    # --- composition ---
    has_spouse = (sizes >= 2) & (rng.random(n_households) < 0.82)
    rest = sizes - 1 - has_spouse
    n_parents = np.minimum(rng.choice(3, size=n_households, p=(0.66, 0.24, 0.10)), rest)
    rest -= n_parents
    n_other = ((rest >= 1) & (rng.random(n_households) < 0.06)).astype(np.int64)
    n_children = rest - n_other

    # --- head's age by household type ---
    head_age = np.clip(rng.normal(46.0, 11.0, n_households), 22.0, 80.0)
    three_generations = n_parents > 0
    head_age = np.where(
        three_generations, np.clip(rng.normal(35.0, 6.5, n_households), 22.0, 56.0), head_age
    )
    alone = sizes == 1
    young = rng.random(n_households)
    lone_age = np.where(
        young < 0.35,
        rng.uniform(20.0, 50.0, n_households),
        rng.triangular(52.0, 70.0, 96.0, n_households),
    )
    couple_only = has_spouse & (n_children == 0) & (n_parents == 0) & (n_other == 0)
    couple_age = np.where(
        young < 0.25,
        rng.uniform(22.0, 36.0, n_households),
        rng.triangular(50.0, 66.0, 92.0, n_households),
    )
    head_age = np.where(alone, lone_age, np.where(couple_only, couple_age, head_age))
    head_male = np.where(
        has_spouse,
        rng.random(n_households) < 0.94,
        rng.random(n_households) < np.where(n_children > 0, 0.2, 0.45),
    )
    partner_gap = rng.gamma(2.0, 1.6, n_households)
    spouse_age = np.clip(np.where(head_male, head_age - partner_gap, head_age + partner_gap),
                         18.0, 98.0)
    woman_age = np.where(head_male & has_spouse, spouse_age, head_age)
    child_cap = np.clip(woman_age - 18.0, 0.5, 36.0)

    # --- slots ---
    start = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    household = np.repeat(np.arange(n_households, dtype=np.int64), sizes)
    slot = np.arange(persons, dtype=np.int64) - start[household]
    spouse_slots = has_spouse[household].astype(np.int64)
    first_parent = 1 + spouse_slots
    first_other = first_parent + n_parents[household]
    first_child = first_other + n_other[household]
    role = np.full(persons, CHILD, dtype=np.int64)
    role[slot >= first_child] = CHILD
    role[(slot >= first_other) & (slot < first_child)] = OTHER
    role[(slot >= first_parent) & (slot < first_other)] = PARENT
    role[(slot == 1) & (spouse_slots == 1)] = SPOUSE
    role[slot == 0] = HEAD

    # --- ages and sexes ---
    h_age = head_age[household]
    age = np.empty(persons, dtype=np.float64)
    is_head, is_spouse = role == HEAD, role == SPOUSE
    is_parent, is_other, is_child = role == PARENT, role == OTHER, role == CHILD
    age[is_head] = h_age[is_head]
    age[is_spouse] = spouse_age[household][is_spouse]
    age[is_parent] = np.clip(h_age[is_parent] + rng.uniform(22.0, 34.0, is_parent.sum()), 40, 99)
    age[is_other] = rng.uniform(10.0, 80.0, is_other.sum())
    # More older than younger children: fewer births now than a generation ago.
    age[is_child] = rng.random(is_child.sum()) ** 0.55 * child_cap[household][is_child]

    male = rng.random(persons) < 0.512
    male[is_head] = head_male[household][is_head]
    male[is_spouse] = ~head_male[household][is_spouse]
    two_parents = n_parents[household] == 2
    male[is_parent & two_parents] = slot[is_parent & two_parents] != first_parent[
        is_parent & two_parents
    ]
    lone_parent = is_parent & ~two_parents
    male[lone_parent] = rng.random(lone_parent.sum()) < 0.3

    birth = REFERENCE_DAY - np.floor(age * DAYS_PER_YEAR).astype(np.int64) - 1

    # --- deaths in the generated window (Gompertz-like mortality, higher in infancy) ---
    yearly = 0.00004 * np.exp(0.092 * age) + np.where(age < 1.0, 0.008, 0.0)
    window_years = (REFERENCE_DAY - WINDOW_START_DAY) / DAYS_PER_YEAR
    dies = rng.random(persons) < 1.0 - np.exp(-np.minimum(yearly, 0.6) * window_years)
    earliest = np.maximum(birth + 1, WINDOW_START_DAY)
    death = np.full(persons, NO_DATE, dtype=np.int64)
    span = np.maximum(REFERENCE_DAY - earliest, 1)
    death[dies] = earliest[dies] + (rng.random(dies.sum()) * span[dies]).astype(np.int64)

    # --- parents ---
    woman_slot = np.where(~head_male, start, np.where(has_spouse, start + 1, -1))
    man_slot = np.where(head_male, start, np.where(has_spouse, start + 1, -1))
    mother = np.full(persons, -1, dtype=np.int64)
    father = np.full(persons, -1, dtype=np.int64)
    mother[is_child] = woman_slot[household][is_child]
    father[is_child] = man_slot[household][is_child]
    parent_index = np.flatnonzero(is_parent)
    parent_household = household[parent_index]
    head_index = start[parent_household]
    female_parents = ~male[parent_index]
    mother[head_index[female_parents]] = parent_index[female_parents]
    father[head_index[~female_parents]] = parent_index[~female_parents]

    # --- household formation ---
    years_formed = rng.random(n_households) * np.maximum(head_age - 20.0, 0.5)
    created = REFERENCE_DAY - np.floor(years_formed * DAYS_PER_YEAR).astype(np.int64)
    created = np.maximum(created, add_years(REFERENCE_DAY - np.floor(head_age * DAYS_PER_YEAR)
                                            .astype(np.int64), 18.0))
    created = np.minimum(created, REFERENCE_DAY - 1)
    joined = np.maximum(created[household], np.where(is_child, birth, created[household]))
    # A member who died before the household was recorded joined it on the day of death at latest.
    joined = np.where(death != NO_DATE, np.minimum(joined, death), joined)

    # --- names ---
    family = rng.integers(0, surname_count, n_households)
    surname = rng.integers(0, surname_count, persons)
    keeps_family_name = is_head | is_child | (is_spouse & (rng.random(persons) < 0.7))
    keeps_family_name |= is_parent & (male | (rng.random(persons) < 0.6))
    surname = np.where(keeps_family_name, family[household], surname)
    first_name = np.where(
        male,
        rng.integers(0, first_male_count, persons),
        rng.integers(0, first_female_count, persons),
    )
    patronymic = rng.integers(0, first_male_count, persons)
    has_father = father >= 0
    patronymic[has_father] = first_name[father[has_father]]

    # --- citizenship and residence (0 permanent, 1 temporary, 2 none) ---
    draw = rng.random(persons)
    citizenship = np.zeros(persons, dtype=np.int64)
    foreign = draw < 0.005
    citizenship[foreign] = rng.integers(1, len(profile.foreign_citizenships) + 1, foreign.sum())
    stateless = (draw >= 0.005) & (draw < 0.0065)
    citizenship[stateless] = STATELESS
    residence = np.zeros(persons, dtype=np.int64)
    residence[foreign & (rng.random(persons) < 0.4)] = 1
    residence[stateless & (rng.random(persons) < 0.2)] = 2

    households = Households(
        global_index=household_offset + np.arange(n_households, dtype=np.int64),
        district=district.astype(np.int64),
        urban=urban,
        created=created,
        size=sizes,
        start=start,
        poor=rng.random(n_households) < profile.poor_household_share,
        surname=family,
        street=rng.integers(0, street_count, n_households),
        house=rng.integers(1, 180, n_households),
        flat=np.where(urban, rng.integers(1, 140, n_households), 0),
    )
    people = Persons(
        global_index=person_offset + np.arange(persons, dtype=np.int64),
        household=household,
        role=role,
        male=male,
        age=age,
        birth=birth,
        death=death,
        mother=mother,
        father=father,
        joined=joined,
        first_name=first_name,
        surname=surname,
        patronymic=patronymic,
        citizenship=citizenship,
        residence=residence,
    )
    return households, people
