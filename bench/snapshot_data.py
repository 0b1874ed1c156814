"""A synthetic period snapshot (docs/snapshot.md) for the rules benchmarks, cached on disk.

    .venv/bin/python bench/snapshot_data.py --persons 1000000 [--seed 2026] [--period 2026-03]
        [--scattered] [--json]

Writes ``bench/out/snapshot-v3-<persons>-s<seed>-<period>[-scattered]/`` ``persons.parquet`` and
``households.parquet`` with exactly the snapshot's columns and types, uncompressed as the
registry writes them, unless that directory is already complete, and prints its path.
Everything is vectorised NumPy: 10M persons take about a minute (most of it writing Parquet)
and 4 GiB.

The values only have to be plausible enough to exercise every branch of the rules, not to
resemble a country: households of 1-10 members (4 on average) with a head, most with a spouse,
children, some parents; about 3 % of persons under an exclusion status, 2 % foreign or
stateless; incomes log-normal with a poor tail of households; some vehicles, real estate,
purchases, disabilities, jobseekers and refused job offers.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import numpy.typing as npt
import polars as pl
import pyarrow as pa

OUT = Path(__file__).resolve().parent / "out"
# Bump when the generated files change, so stale caches are not reused. v3: code lists
# Categorical, files not compressed, as the registry writes them (docs/snapshot.md).
VERSION = "v3"
DONE = "complete"  # written last: a directory without it is a crashed run and is rewritten

ROLES = ("head", "spouse", "child", "parent", "other")
EXCLUSIONS = ("conscript", "state_care", "imprisoned", "wanted", "abroad")
FOREIGN = ("RU", "TR", "GE", "IR", "UA")
REGIONS = ("BA", "SM", "GA", "AB", "LA", "SH", "MI", "NX", "QB", "SKR")
# The snapshot's code lists, Categorical in the contract (docs/snapshot.md).
PERSON_CODES = ("role", "sex", "citizenship", "residence_status", "exclusion_status")
HOUSEHOLD_CODES = ("region", "district")

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


def snapshot_dir(
    n_persons: int, *, seed: int = 2026, period: str = "2026-03", scattered: bool = False
) -> Path:
    """The cache directory for these arguments, generated first if it is not complete."""
    path = OUT / f"snapshot-{VERSION}-{n_persons}-s{seed}-{period}{'-scattered' * scattered}"
    if not (path / DONE).exists():
        persons, households = generate(n_persons, seed=seed, period=period, scattered=scattered)
        path.mkdir(parents=True, exist_ok=True)
        persons.write_parquet(path / "persons.parquet", compression="uncompressed")
        households.write_parquet(path / "households.parquet", compression="uncompressed")
        (path / DONE).write_text(f"{persons.height} persons, {households.height} households\n")
    return path


def _strings(values: tuple[str, ...], codes: IntArray) -> pl.Series:
    """Strings by code; a gather from a tiny series is much cheaper than building objects."""
    return pl.Series(values, dtype=pl.String).gather(codes)


def _fixed_width_strings(chars: npt.NDArray[np.uint8]) -> pl.Series:
    """An (n, w) array of ASCII bytes as n strings, built straight from Arrow buffers."""
    n, width = chars.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    array = pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(chars))
    )
    return pl.Series(pl.from_arrow(array))


def _days(dates: npt.NDArray[np.datetime64]) -> pl.Series:
    return pl.Series(dates.astype("datetime64[D]")).cast(pl.Date)


def _household_sizes(rng: np.random.Generator, n_persons: int) -> IntArray:
    """Sizes 1-10 (mean 4) whose sum is exactly ``n_persons`` (the last one is cut)."""
    sizes = np.clip(1 + rng.poisson(3.0, n_persons // 3 + 16), 1, 10).astype(np.int64)
    total = np.cumsum(sizes)
    while total[-1] < n_persons:  # only for tiny populations
        sizes = np.concatenate([sizes, sizes])
        total = np.cumsum(sizes)
    last = int(np.searchsorted(total, n_persons))
    sizes = sizes[: last + 1].copy()
    sizes[-1] -= int(total[last]) - n_persons
    return sizes


def generate(
    n_persons: int, *, seed: int = 2026, period: str = "2026-03", scattered: bool = False
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The persons and households frames of one synthetic snapshot, each sorted by its key.

    By default a household's members have consecutive person ids, so persons are sorted by
    household and then person, as dost.registry's snapshot writes them. ``scattered`` draws the
    person ids at random instead, so members lie anywhere in the frame: a snapshot from
    elsewhere, and the worst case for an engine that exploits the grouping.
    """
    rng = np.random.default_rng(seed)
    start = np.datetime64(f"{period}-01", "D")
    month_days = int(
        (
            (np.datetime64(period, "M") + np.timedelta64(1, "M")).astype("datetime64[D]") - start
        ).astype(np.int64)
    )

    sizes = _household_sizes(rng, n_persons)
    n_households = len(sizes)
    household_id = np.repeat(np.arange(1, n_households + 1, dtype=np.int64), sizes)
    first = np.repeat(np.cumsum(sizes) - sizes, sizes)
    slot = np.arange(n_persons, dtype=np.int64) - first  # position within the household
    del first

    # Roles: the first member heads; the second is a spouse in 3 of 4 households; later members
    # are mostly children, sometimes a parent of the head or another relative.
    later = rng.choice(np.array([2, 3, 4]), n_persons, p=[0.84, 0.10, 0.06])
    role = np.where(slot == 0, 0, np.where((slot == 1) & (rng.random(n_persons) < 0.75), 1, later))
    del later
    ranges = np.array([[20, 85], [18, 85], [0, 25], [55, 95], [16, 80]])  # age in years by role
    low, high = ranges[role, 0] * 365, ranges[role, 1] * 365
    age_days = low + (rng.random(n_persons) * (high - low)).astype(np.int64)
    del low, high
    age = age_days // 365
    birth = start - age_days.astype("timedelta64[D]")
    head_sex = rng.random(n_households) < 0.7  # True: the head is a man
    male = np.where(
        role == 0,
        head_sex[household_id - 1],
        np.where(role == 1, ~head_sex[household_id - 1], rng.random(n_persons) < 0.5),
    )
    died = rng.random(n_persons) < 0.003
    death = np.where(
        died,
        start + rng.integers(0, month_days, n_persons).astype("timedelta64[D]"),
        np.datetime64("NaT", "D"),
    )

    # Citizenship: 98 % AZ, 1 % stateless (""), 1 % foreign; foreigners mostly temporary residents.
    draw = rng.random(n_persons)
    citizenship = np.where(
        draw < 0.98, 0, np.where(draw < 0.99, 1, 2 + rng.integers(0, len(FOREIGN), n_persons))
    )
    residence = np.where(
        citizenship == 0, 0, rng.choice(np.array([0, 1, 2]), n_persons, p=[0.3, 0.6, 0.1])
    )
    exclusion = np.where(
        rng.random(n_persons) < 0.03,
        rng.choice(np.arange(5), n_persons, p=[0.3, 0.15, 0.2, 0.05, 0.3]),
        -1,
    )
    exclusion = np.where(
        (exclusion == 0) & ((age < 18) | (age > 35) | ~male), 4, exclusion
    )  # conscripts: young men

    working_age = (age >= 18) & (age < 63)
    employed = working_age & (rng.random(n_persons) < 0.65)
    pensioner = (age >= 63) | (rng.random(n_persons) < 0.02) & (age >= 18)
    # A poor tail: one household in ten earns a fifth of the others.
    poverty = np.where(rng.random(n_households) < 0.1, 0.2, 1.0)[household_id - 1]
    wage_12m = np.where(employed, 12 * rng.lognormal(np.log(1100), 0.6, n_persons) * poverty, 0.0)
    pension_month = np.where(pensioner, rng.lognormal(np.log(380), 0.3, n_persons), 0.0)
    other_12m = np.where(
        (age >= 18) & (rng.random(n_persons) < 0.3),
        rng.lognormal(np.log(3000), 1.0, n_persons) * poverty,
        0.0,
    )
    income_12m = np.round(wage_12m + 12 * pension_month + other_12m, 2)
    income_3m = np.round(
        (wage_12m + other_12m) / 4 * rng.uniform(0.8, 1.2, n_persons) + 3 * pension_month, 2
    )
    del other_12m

    was_employed = working_age & ~employed & (rng.random(n_persons) < 0.4)
    ended = start - rng.integers(1, 5 * 365, n_persons).astype("timedelta64[D]")
    employment_end = np.where(
        was_employed | employed & (rng.random(n_persons) < 0.3), ended, np.datetime64("NaT", "D")
    )
    del ended
    insured_24m = np.where(
        employed,
        rng.integers(6, 25, n_persons),
        np.where(was_employed, rng.integers(0, 25, n_persons), 0),
    ).astype(np.int32)
    record = np.where(
        age >= 18,
        (np.minimum(age - 18, 45) * 12 * rng.uniform(0.3, 1.0, n_persons)).astype(np.int64),
        0,
    )
    pension_capital = np.round(record * rng.lognormal(np.log(120), 0.4, n_persons), 2)
    jobseeker = working_age & ~employed & (rng.random(n_persons) < 0.1)
    offers = np.where(jobseeker, rng.poisson(0.6, n_persons), 0).astype(np.int32)

    disabled = rng.random(n_persons) < 0.05
    percent = np.where(
        disabled, rng.choice(np.array([30, 40, 50, 60, 70, 80, 90, 100]), n_persons), 0
    )
    group = np.select([percent >= 81, percent >= 61, percent >= 30], [1, 2, 3], 0)
    deceased = np.where(
        role == 2, rng.choice(np.arange(3), n_persons, p=[0.97, 0.025, 0.005]), 0
    ).astype(np.int32)

    fin = rng.choice(
        np.frombuffer(b"0123456789ABCDEFGHJKLMNPQRSTUVWXYZ", dtype=np.uint8), (n_persons, 7)
    )

    persons = pl.DataFrame(
        {
            "person_id": np.arange(1, n_persons + 1, dtype=np.int64),
            "household_id": household_id,
            "role": _strings(ROLES, role),
            "personal_id": _fixed_width_strings(fin),
            "sex": _strings(("F", "M"), male.astype(np.int64)),
            "birth_date": _days(birth),
            "death_date": _days(death),
            "citizenship": _strings(("AZ", "", *FOREIGN), citizenship),
            "residence_status": _strings(("permanent", "temporary", "none"), residence),
            "exclusion_status": _strings(EXCLUSIONS, np.maximum(exclusion, 0)).scatter(
                np.flatnonzero(exclusion < 0), None
            ),
            "registered_jobseeker": jobseeker,
            "income_12m": income_12m,
            "income_3m": income_3m,
            "wage_12m": np.round(wage_12m, 2),
            "pension_3m": np.round(3 * pension_month, 2),
            "employed": employed,
            "employment_end_date": _days(employment_end),
            "insured_months_24m": insured_24m,
            "insurance_record_months": record.astype(np.int32),
            "pension_capital": pension_capital,
            "disability_percent": pl.Series(percent, dtype=pl.Int32).scatter(
                np.flatnonzero(~disabled), None
            ),
            "disability_group": pl.Series(group, dtype=pl.Int32).scatter(
                np.flatnonzero(~disabled | (age < 18)), None
            ),
            "job_offers_refused_12m": offers,
            "deceased_parents": deceased,
        }
    )

    region = rng.integers(0, len(REGIONS), n_households)
    district = rng.integers(1, 13, n_households)
    region_names = _strings(REGIONS, region)
    vehicles = rng.choice(np.arange(3), n_households, p=[0.86, 0.12, 0.02]).astype(np.int32)
    bought = rng.random(n_households) < 0.1
    households = pl.DataFrame(
        {
            "household_id": np.arange(1, n_households + 1, dtype=np.int64),
            "region": region_names,
            "district": region_names + "-" + pl.Series(district).cast(pl.String).str.zfill(2),
            "vehicles": vehicles,
            "vehicles_rehab": (rng.random(n_households) < 0.005).astype(np.int32),
            "real_estate_same_purpose_max": rng.choice(
                np.arange(4), n_households, p=[0.1, 0.8, 0.08, 0.02]
            ).astype(np.int32),
            "purchases_12m": np.where(
                bought, np.round(rng.lognormal(np.log(4000), 1.0, n_households), 2), 0.0
            ),
            "utilities_monthly": np.round(rng.lognormal(np.log(45), 0.5, n_households), 2),
        }
    )
    persons = persons.with_columns(pl.col(c).cast(pl.Categorical) for c in PERSON_CODES)
    households = households.with_columns(pl.col(c).cast(pl.Categorical) for c in HOUSEHOLD_CODES)
    if scattered:
        persons = persons.with_columns(
            pl.Series("person_id", rng.permutation(n_persons).astype(np.int64) + 1)
        ).sort("person_id")
    return persons, households


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--persons", type=int, nargs="+", default=[100_000])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--period", default="2026-03")
    parser.add_argument(
        "--json", action="store_true", help="print path and row counts as JSON lines"
    )
    parser.add_argument(
        "--scattered", action="store_true", help="members not consecutive (see generate)"
    )
    args = parser.parse_args()
    for n in args.persons:
        path = snapshot_dir(n, seed=args.seed, period=args.period, scattered=args.scattered)
        if not args.json:
            print(path)
            continue
        rows = {
            name: pl.scan_parquet(path / f"{name}.parquet").select(pl.len()).collect().item()
            for name in ("persons", "households")
        }
        print(json.dumps({"path": str(path), **rows}))


if __name__ == "__main__":
    main()
