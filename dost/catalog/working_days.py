"""Working days per country, from the `Holiday` rows.

A day is a working day when it is Monday to Friday and not a public holiday or a transferred
day off, or when it is a weekend day declared a working day (`working_saturday`). State offices
in both countries work a five-day week, so Saturday and Sunday are otherwise off.

Deadlines count the days *after* the start: the request day itself is day 0, as the Azerbaijani
and Uzbek codes count terms ("the term begins on the day after the event"). So
`add_working_days(d, n)` is the n-th working day after `d`, and
`working_days_between(a, b)` counts the working days in the half-open interval (a, b].

A country's calendar (a few dozen rows per year) is read from the database once and kept in
process memory; saving or deleting a Holiday clears it here at once (see `models.py`), and a
short time-to-live bounds how long another process can go on using a calendar edited elsewhere.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass

from dost.catalog.models import DeadlineUnit, Holiday, HolidayKind, Service

logger = logging.getLogger(__name__)

CACHE_SECONDS = 300.0
MSG_NEGATIVE_DAYS = "The number of working days must not be negative; got %d."


@dataclass(frozen=True, slots=True)
class Calendar:
    """The exceptions to the five-day week of one country."""

    days_off: frozenset[dt.date]
    working_weekend_days: frozenset[dt.date]
    years: frozenset[int]

    def is_working_day(self, day: dt.date) -> bool:
        if day.weekday() >= 5:
            return day in self.working_weekend_days
        return day not in self.days_off


_cache: dict[str, tuple[float, Calendar]] = {}
_warned_years: set[tuple[str, int]] = set()
_lock = threading.Lock()


def calendar_forget(*, country: str | None = None) -> None:
    """Drop the cached calendar of `country` (of every country if None)."""
    with _lock:
        if country is None:
            _cache.clear()
        else:
            _cache.pop(country, None)


def calendar_for(country: str) -> Calendar:
    """The country's calendar: one query when not cached, none when it is."""
    now = time.monotonic()
    with _lock:
        cached = _cache.get(country)
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    days_off: set[dt.date] = set()
    working: set[dt.date] = set()
    for day, kind in Holiday.objects.filter(country=country).values_list("date", "kind"):
        if kind == HolidayKind.WORKING_SATURDAY:
            working.add(day)
        else:
            days_off.add(day)
    calendar = Calendar(
        days_off=frozenset(days_off),
        working_weekend_days=frozenset(working),
        years=frozenset(d.year for d in days_off | working),
    )
    with _lock:
        _cache[country] = (now, calendar)
    return calendar


def _check_year(calendar: Calendar, country: str, day: dt.date) -> None:
    # A year with no holiday data would silently count every weekday as working: say so once,
    # so the operator loads the new year's calendar (docs/catalog.md, "Yearly upkeep").
    if day.year not in calendar.years and (country, day.year) not in _warned_years:
        _warned_years.add((country, day.year))
        logger.warning(
            "No holidays are loaded for %s in %d: weekends only are treated as days off.",
            country, day.year,
        )


def is_working_day(day: dt.date, country: str) -> bool:
    calendar = calendar_for(country)
    _check_year(calendar, country, day)
    return calendar.is_working_day(day)


def add_working_days(start: dt.date, n: int, country: str) -> dt.date:
    """The n-th working day after `start` (`start` itself when n is 0)."""
    if n < 0:
        raise ValueError(MSG_NEGATIVE_DAYS % n)
    calendar = calendar_for(country)
    day = start
    remaining = n
    while remaining:
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            remaining -= 1
    _check_year(calendar, country, day)
    return day


def next_working_day(day: dt.date, country: str) -> dt.date:
    """`day` if it is a working day, else the first working day after it."""
    calendar = calendar_for(country)
    while not calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def working_days_between(a: dt.date, b: dt.date, country: str) -> int:
    """Working days in (a, b]; negative when b is before a."""
    if b < a:
        return -working_days_between(b, a, country)
    calendar = calendar_for(country)
    _check_year(calendar, country, b)
    span = (b - a).days
    # Whole weeks hold five weekdays each; only the exceptions inside the span and the few
    # days of the last part-week are looked at one by one.
    weeks, rest = divmod(span, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (a + dt.timedelta(days=weeks * 7 + offset)).weekday() < 5:
            count += 1
    count -= sum(1 for d in calendar.days_off if a < d <= b and d.weekday() < 5)
    count += sum(1 for d in calendar.working_weekend_days if a < d <= b and d.weekday() >= 5)
    return count


def deadline_for(service: Service, start: dt.date) -> dt.date:
    """The last day on which a decision on `service` requested on `start` is due.

    Working-day deadlines count working days after `start`. Calendar-day deadlines count
    calendar days, and a term whose last day is a day off ends on the next working day (the
    general rule for terms in both countries' civil codes). A deadline of 0 is `start`.
    """
    country = service.country
    if service.deadline_unit == DeadlineUnit.WORKING_DAYS:
        return add_working_days(start, service.deadline, country)
    end = start + dt.timedelta(days=service.deadline)
    if service.deadline == 0:
        return end
    return next_working_day(end, country)
