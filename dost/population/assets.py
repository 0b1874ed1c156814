"""Vehicles, real estate and monthly utility spending of households.

Assets follow income: households near the need line rarely own a car or a second flat, which is
what keeps the TSSA refusal grounds (a vehicle, two same-purpose properties, high utility
spending, recent large purchases) at the small shares they have in reality, while still giving
every ground some cases. A few disabled persons hold a vehicle issued for rehabilitation, which
does not count against the household.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from dost.population.calendar import (
    DAYS_PER_YEAR,
    NO_DATE,
    REFERENCE_DAY,
    BoolArray,
    FloatArray,
    IntArray,
    month_of,
)
from dost.population.demography import Households, Persons
from dost.population.profiles import FIRST_MONTH_INDEX, REFERENCE_MONTH_INDEX, CountryProfile

PURPOSES = ("residential", "land", "commercial", "agricultural", "garage")
RESIDENTIAL, LAND, COMMERCIAL, AGRICULTURAL, GARAGE = range(5)
UTILITY_KINDS = ("electricity", "gas", "water", "communication", "other")
ELECTRICITY, GAS, WATER, COMMUNICATION = range(4)
# Utility bills exist for complete months: up to the month before "now".
LAST_UTILITY_MONTH = REFERENCE_MONTH_INDEX - 1


@dataclass
class Assets:
    frames: dict[str, pl.DataFrame]


def _days_ago(rng: np.random.Generator, low_years: float, high_years: float,
              size: int) -> IntArray:
    return REFERENCE_DAY - np.floor(rng.uniform(low_years, high_years, size)
                                    * DAYS_PER_YEAR).astype(np.int64)


def generate_assets(
    *, rng: np.random.Generator, profile: CountryProfile, households: Households,
    persons: Persons, household_income_12m: FloatArray, disability_group_now: IntArray,
) -> Assets:
    n_households = len(households)
    head = households.start
    per_capita = household_income_12m / 12.0 / households.size
    near_need = per_capita < profile.need_line * 1.3
    adult_since = persons.birth + np.floor(18 * DAYS_PER_YEAR).astype(np.int64)
    head_adult_since = adult_since[head]

    # --- vehicles ---
    p_vehicle = np.where(near_need, profile.vehicle_share * 0.12, profile.vehicle_share * 1.2)
    owns = rng.random(n_households) < p_vehicle
    count = np.where(owns, 1 + (rng.random(n_households) < 0.12), 0)
    v_household = np.repeat(np.arange(n_households, dtype=np.int64), count)
    v_owner = head[v_household]
    m = len(v_household)
    acquired = np.maximum(_days_ago(rng, 0.0, 15.0, m), head_adult_since[v_household])
    recent = rng.random(m) < 0.06
    acquired = np.where(recent, _days_ago(rng, 0.02, 1.0, m), acquired)
    disposed = np.where(
        (rng.random(m) < 0.04) & (acquired < REFERENCE_DAY - 30),
        np.minimum(acquired + rng.integers(30, 3000, m), REFERENCE_DAY - 1),
        NO_DATE,
    )
    age_years = (REFERENCE_DAY - acquired) / DAYS_PER_YEAR
    value = profile.vehicle_value * rng.lognormal(-0.1, 0.45, m) * np.power(0.92, age_years)
    rehab_people = np.flatnonzero(
        ((disability_group_now == 1) | (disability_group_now == 2)) & (persons.age >= 18)
        & persons.alive & (rng.random(len(persons)) < 0.05)
    )
    r = len(rehab_people)
    vehicles = pl.DataFrame(
        {
            "person": np.concatenate([v_owner, rehab_people]),
            "acquired_on": np.concatenate([acquired, np.maximum(_days_ago(rng, 0.1, 8.0, r),
                                                                adult_since[rehab_people])]),
            "disposed_on": np.concatenate([disposed, np.full(r, NO_DATE, dtype=np.int64)]),
            "value": np.concatenate([value, profile.vehicle_value * 0.5 * np.ones(r)]).round(2),
            "issued_for_rehabilitation": np.concatenate([np.zeros(m, np.bool_),
                                                         np.ones(r, np.bool_)]),
        }
    )

    # --- real estate: (owner, purpose, at home?, acquired, value factor) ---
    e_household: list[IntArray] = []
    e_purpose: list[IntArray] = []
    e_home: list[BoolArray] = []

    def units(mask: BoolArray, purpose: int, at_home: bool) -> None:
        idx = np.flatnonzero(mask)
        e_household.append(idx)
        e_purpose.append(np.full(len(idx), purpose, dtype=np.int64))
        e_home.append(np.full(len(idx), at_home, dtype=np.bool_))

    u = rng.random((6, n_households))
    home_owner = u[0] < 0.9
    units(home_owner, RESIDENTIAL, True)
    units(home_owner & (u[1] < np.where(near_need, 0.002, 0.025)), RESIDENTIAL, False)
    rural = ~households.urban
    plot = rural & (u[2] < 0.45)
    units(plot, AGRICULTURAL, False)
    units(plot & (u[3] < np.where(near_need, 0.002, 0.03)), AGRICULTURAL, False)
    units(households.urban & (u[4] < 0.06), GARAGE, False)
    units(~near_need & (u[5] < 0.025), COMMERCIAL, False)
    units(rural & (u[5] > 0.97), LAND, False)
    estate_household = np.concatenate(e_household)
    k = len(estate_household)
    purpose = np.concatenate(e_purpose)
    estate_acquired = np.maximum(_days_ago(rng, 0.0, 30.0, k), head_adult_since[estate_household])
    estate_acquired = np.where(rng.random(k) < 0.02, _days_ago(rng, 0.02, 1.0, k),
                               estate_acquired)
    estate_factor = np.select(
        [purpose == RESIDENTIAL, purpose == COMMERCIAL, purpose == GARAGE], [1.0, 1.5, 0.08], 0.15
    )
    real_estate = pl.DataFrame(
        {
            "person": head[estate_household],
            "household": estate_household,
            "purpose": purpose,
            "at_home": np.concatenate(e_home),
            "street": rng.integers(0, 10_000, k),
            "house": rng.integers(1, 300, k),
            "acquired_on": estate_acquired,
            "disposed_on": np.where(
                (rng.random(k) < 0.01) & (estate_acquired < REFERENCE_DAY - 30),
                np.maximum(REFERENCE_DAY - rng.integers(1, 300, k), estate_acquired + 1),
                NO_DATE,
            ),
            "value": (profile.home_value * estate_factor * rng.lognormal(-0.1, 0.5, k)).round(2),
        }
    )

    # --- utilities: electricity, gas, water and communication per month ---
    months = np.arange(FIRST_MONTH_INDEX, LAST_UTILITY_MONTH + 1, dtype=np.int64)
    billed = rng.random(n_households) >= 0.08
    created_month = month_of(households.created)
    size = households.size.astype(np.float64)
    scale = profile.utility_scale * np.where(near_need, 0.75, 1.0) * rng.lognormal(-0.05, 0.3,
                                                                                   n_households)
    has_gas = households.urban | (rng.random(n_households) < 0.7)
    bases = {
        ELECTRICITY: (12.0 + 5.0 * size) * scale,
        GAS: np.where(has_gas, (10.0 + 3.5 * size) * scale, 0.0),
        WATER: (2.5 + 1.8 * size) * scale,
        COMMUNICATION: np.where(rng.random(n_households) < 0.9, 12.0 * scale, 0.0),
    }
    calendar_month = months % 12
    winter = np.isin(calendar_month, (0, 1, 10, 11))
    summer = np.isin(calendar_month, (5, 6, 7))
    frames = []
    for kind, base in bases.items():
        hh = np.flatnonzero(billed & (base > 0))
        grid_h = np.repeat(hh, len(months))
        grid_m = np.tile(months, len(hh))
        grid_w = np.tile(winter, len(hh))
        grid_s = np.tile(summer, len(hh))
        season = np.ones(len(grid_h))
        if kind == GAS:
            season = np.where(grid_w, 1.8, np.where(grid_s, 0.45, 1.0))
        elif kind == ELECTRICITY:
            season = np.where(grid_s, 1.25, 1.0)
        amount = base[grid_h] * season * rng.uniform(0.85, 1.15, len(grid_h))
        keep = grid_m >= created_month[grid_h]
        frames.append(
            pl.DataFrame(
                {
                    "household": grid_h[keep],
                    "month": grid_m[keep],
                    "kind": np.full(int(keep.sum()), kind, dtype=np.int64),
                    "amount": np.round(amount[keep], 2),
                }
            )
        )
    utilities = pl.concat(frames)
    return Assets(frames={"vehicles": vehicles, "real_estate": real_estate,
                          "utilities": utilities})
