"""When a centre is open: its weekly hours, minus the country's days off and its own closures.

A country's day off (public holiday, transferred day off) closes every centre of the country. A
weekend day the government declares a working day opens a centre that is otherwise closed that
weekday, with its Monday hours (the working Saturday replaces a weekday, and Monday's hours are
the centre's ordinary weekday hours).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from dost.catalog.working_days import calendar_for
from dost.centres.models import Centre, CentreClosure, OpeningHours


def centre_hours_on(*, centre: Centre, day: dt.date) -> tuple[dt.time, dt.time] | None:
    """The (opens, closes) times of `centre` on `day`, or None when it is closed all day."""
    calendar = calendar_for(centre.country)
    if day in calendar.days_off:
        return None
    if CentreClosure.objects.filter(centre=centre, date=day).exists():
        return None
    hours = {h.weekday: (h.opens, h.closes) for h in OpeningHours.objects.filter(centre=centre)}
    if day.weekday() in hours:
        return hours[day.weekday()]
    if day in calendar.working_weekend_days:
        return hours.get(0)
    return None


def centre_is_open(*, centre: Centre, at: dt.datetime | None = None) -> bool:
    moment = timezone.localtime(at or timezone.now())
    hours = centre_hours_on(centre=centre, day=moment.date())
    return hours is not None and hours[0] <= moment.time() < hours[1]
