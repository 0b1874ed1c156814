"""The SLA clock of a case and the appeal deadline, in working days of the service's country.

The clock starts on the submission day (day 0) and the decision is due on
`deadline_for(service, submitted_on)` (dost/catalog/working_days.py). A case in a queue is
*on time*, *due soon* when DUE_SOON_WORKING_DAYS or fewer working days are left, or *overdue*
after its due day.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from dost.catalog.working_days import add_working_days, next_working_day, working_days_between

DUE_SOON_WORKING_DAYS = 2
# A decision can be appealed within this many calendar days of the day it was taken; a term
# ending on a day off ends on the next working day. The project's default, to be confirmed
# against each country's law on administrative proceedings (docs/cases.md).
APPEAL_WINDOW_DAYS = 30
# An appeal is due this many working days after it is lodged.
APPEAL_DECISION_WORKING_DAYS = 15


class SlaState(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


def sla_state(*, due_on: dt.date, country: str, today: dt.date) -> SlaState:
    if today > due_on:
        return SlaState.OVERDUE
    if working_days_between(today, due_on, country) <= DUE_SOON_WORKING_DAYS:
        return SlaState.DUE_SOON
    return SlaState.ON_TIME


def appeal_deadline(*, decided_on: dt.date, country: str) -> dt.date:
    """The last day on which a decision taken on `decided_on` can be appealed."""
    return next_working_day(decided_on + dt.timedelta(days=APPEAL_WINDOW_DAYS), country)


def appeal_due_on(*, lodged_on: dt.date, country: str) -> dt.date:
    return add_working_days(lodged_on, APPEAL_DECISION_WORKING_DAYS, country)
