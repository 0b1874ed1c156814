from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from dost.population.identifiers import EPOCH, FIN_SPACE, PinflSerials, fins, pinfls
from dost.registry.national_id import FIN_PATTERN, make_pinfl, validate_personal_id


def test_it_makes_distinct_fins_for_distinct_indexes():
    index = np.arange(300_000, dtype=np.int64)
    values = fins(index, seed=3)
    assert len(set(values.tolist())) == len(values)
    assert all(FIN_PATTERN.fullmatch(v) for v in values[:2000])
    assert fins(np.array([FIN_SPACE - 1, 0]), seed=3).tolist()[1] == values[0]


def test_it_shifts_fins_with_the_seed():
    index = np.arange(10, dtype=np.int64)
    assert fins(index, seed=1).tolist() != fins(index, seed=2).tolist()


def test_it_builds_the_same_pinfls_as_make_pinfl():
    rng = np.random.default_rng(5)
    days = rng.integers((dt.date(1925, 1, 1) - EPOCH).days, (dt.date(2026, 11, 1) - EPOCH).days,
                        2_000)
    male = rng.random(2_000) < 0.5
    office = rng.choice([3, 26, 35], 2_000)
    values = pinfls(birth_days=days, male=male, office=office, serials=PinflSerials())
    serial_of: dict[tuple[int, bool, int], int] = {}
    for value, day, is_male, code in zip(values, days, male, office, strict=True):
        key = (int(day), bool(is_male), int(code))
        serial = serial_of.get(key, 0)
        serial_of[key] = serial + 1
        birth = EPOCH + dt.timedelta(days=int(day))
        expected = make_pinfl(birth_date=birth, sex="M" if is_male else "F",
                              region_code=int(code), serial=serial)
        assert value == expected
        validate_personal_id(value, "uz")


def test_it_continues_pinfl_serials_across_chunks():
    serials = PinflSerials()
    same_day = np.full(600, 30_000, dtype=np.int64)
    male = np.ones(600, dtype=np.bool_)
    office = np.full(600, 26, dtype=np.int64)
    first = pinfls(birth_days=same_day, male=male, office=office, serials=serials)
    second = pinfls(birth_days=same_day[:300], male=male[:300], office=office[:300],
                    serials=serials)
    assert len(set(first.tolist()) | set(second.tolist())) == 900
    with pytest.raises(ValueError, match="1000 persons"):
        pinfls(birth_days=same_day[:200], male=male[:200], office=office[:200], serials=serials)
