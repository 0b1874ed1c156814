from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dost.catalog.models import DeadlineUnit, Holiday, HolidayKind, Service
from dost.catalog.working_days import (
    add_working_days,
    deadline_for,
    is_working_day,
    working_days_between,
)

D = dt.date


def _service(**fields: Any) -> Service:
    # deadline_for reads only the country and the deadline: an unsaved passport is enough.
    return Service(code="99-99-99-99", **fields)


@pytest.mark.usefixtures("az_holidays")
def test_it_treats_novruz_and_ramadan_2026_and_their_transfers_as_days_off() -> None:
    # Novruz 20-24 March, transfers 25-26 (Novruz on the weekend), 27 and 30 (Ramadan on
    # Novruz and on Saturday): Thursday 19 March is the last working day, Tuesday 31 the next.
    off = [D(2026, 3, day) for day in range(20, 31)]
    assert [d for d in off if is_working_day(d, "az")] == []
    assert is_working_day(D(2026, 3, 19), "az")
    assert is_working_day(D(2026, 3, 31), "az")
    assert add_working_days(D(2026, 3, 19), 1, "az") == D(2026, 3, 31)


@pytest.mark.usefixtures("az_holidays")
def test_it_counts_working_days_across_novruz_2026_and_a_weekend() -> None:
    # (Fri 13 Mar, Fri 3 Apr]: Mon 16, Tue 17, Wed 18, Thu 19, then 20-30 March off,
    # Tue 31, Wed 1, Thu 2, Fri 3 April = 8 working days.
    assert working_days_between(D(2026, 3, 13), D(2026, 4, 3), "az") == 8
    assert working_days_between(D(2026, 4, 3), D(2026, 3, 13), "az") == -8
    assert working_days_between(D(2026, 3, 20), D(2026, 3, 30), "az") == 0


@pytest.mark.usefixtures("az_holidays")
def test_it_sets_the_tssa_deadline_fifteen_working_days_after_the_request() -> None:
    # Request on Monday 16 March 2026. Working days after it:
    #  1 Tue 17 Mar, 2 Wed 18, 3 Thu 19, (20-30 March: Novruz, Ramadan, weekends, transfers),
    #  4 Tue 31, 5 Wed 1 Apr, 6 Thu 2, 7 Fri 3, 8 Mon 6, 9 Tue 7, 10 Wed 8, 11 Thu 9,
    # 12 Fri 10, 13 Mon 13, 14 Tue 14, 15 Wed 15 April 2026.
    tssa = _service(country="az", deadline=15, deadline_unit=DeadlineUnit.WORKING_DAYS)

    assert deadline_for(tssa, D(2026, 3, 16)) == D(2026, 4, 15)


@pytest.mark.usefixtures("az_holidays")
def test_it_moves_a_calendar_day_deadline_off_a_day_off() -> None:
    # 30 calendar days after Friday 9 October 2026 is Sunday 8 November (Victory Day);
    # Monday 9 is Flag Day and Tuesday 10 the transferred day off: the term ends on Wednesday 11.
    service = _service(country="az", deadline=30, deadline_unit=DeadlineUnit.CALENDAR_DAYS)

    assert deadline_for(service, D(2026, 10, 9)) == D(2026, 11, 11)
    assert deadline_for(service, D(2026, 10, 12)) == D(2026, 11, 11)
    assert deadline_for(service, D(2026, 10, 13)) == D(2026, 11, 12)


@pytest.mark.usefixtures("az_holidays")
def test_it_keeps_same_day_services_on_the_request_day() -> None:
    service = _service(country="az", deadline=0, deadline_unit=DeadlineUnit.WORKING_DAYS)

    assert deadline_for(service, D(2026, 3, 21)) == D(2026, 3, 21)


@pytest.mark.usefixtures("uz_holidays")
def test_it_works_on_a_saturday_declared_a_working_day() -> None:
    # Uzbekistan 2026: Saturday 12 December is worked, Thursday 31 December is off instead.
    assert is_working_day(D(2026, 12, 12), "uz")
    assert not is_working_day(D(2026, 12, 31), "uz")
    assert add_working_days(D(2026, 12, 11), 1, "uz") == D(2026, 12, 12)
    # (Fri 11, Fri 18 Dec]: Sat 12, Mon 14 - Fri 18 = 6.
    assert working_days_between(D(2026, 12, 11), D(2026, 12, 18), "uz") == 6


@pytest.mark.usefixtures("az_holidays", "uz_holidays")
def test_it_keeps_each_country_to_its_own_calendar() -> None:
    # 28 May 2026: Independence Day and Gurban in Azerbaijan, an additional day off in
    # Uzbekistan; 9 November 2026: Flag Day in Azerbaijan only.
    assert not is_working_day(D(2026, 5, 28), "az")
    assert not is_working_day(D(2026, 5, 28), "uz")
    assert not is_working_day(D(2026, 11, 9), "az")
    assert is_working_day(D(2026, 11, 9), "uz")


@pytest.mark.usefixtures("az_holidays")
def test_it_reads_the_calendar_once_and_forgets_it_when_a_holiday_is_saved(
    django_assert_num_queries: Any,
) -> None:
    with django_assert_num_queries(1):
        assert add_working_days(D(2026, 1, 5), 200, "az") > D(2026, 1, 5)
        assert is_working_day(D(2026, 7, 1), "az")
        working_days_between(D(2025, 1, 1), D(2026, 12, 31), "az")

    Holiday.objects.create(
        country="az", date=D(2026, 7, 1), kind=HolidayKind.PUBLIC,
        names={"az": "Sınaq", "uz": "Sinov", "ru": "Проба", "en": "Trial"},
    )

    assert not is_working_day(D(2026, 7, 1), "az")
    Holiday.objects.filter(date=D(2026, 7, 1)).delete()
    assert is_working_day(D(2026, 7, 1), "az")


def test_it_refuses_a_negative_number_of_days(db: None) -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_days(D(2026, 1, 5), -1, "az")


def _brute_force_between(a: dt.date, b: dt.date, country: str) -> int:
    days = (b - a).days
    return sum(is_working_day(a + dt.timedelta(days=i), country) for i in range(1, days + 1))


@pytest.mark.usefixtures("az_holidays", "uz_holidays")
@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.dates(min_value=D(2025, 1, 1), max_value=D(2026, 10, 31)),
    n=st.integers(min_value=0, max_value=60),
    country=st.sampled_from(["az", "uz"]),
)
def test_it_lands_on_a_working_day_n_working_days_later(
    start: dt.date, n: int, country: str
) -> None:
    end = add_working_days(start, n, country)

    assert working_days_between(start, end, country) == n
    assert working_days_between(start, end, country) == _brute_force_between(start, end, country)
    if n == 0:
        assert end == start
    else:
        assert is_working_day(end, country)
        # No working day is skipped: the day before `end` holds one working day fewer.
        assert working_days_between(start, end - dt.timedelta(days=1), country) == n - 1
