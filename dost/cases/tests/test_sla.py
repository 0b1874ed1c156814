from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from dost.cases.selectors import work_queue
from dost.cases.services import case_submit
from dost.cases.sla import SlaState
from dost.cases.tests.conftest import head_of, make_household


def _at(day: dt.date) -> time_machine.travel:
    # 10:00 in Baku (UTC+4).
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 6, tzinfo=dt.UTC),
                               tick=False)


@pytest.mark.django_db
def test_it_counts_the_sla_clock_in_working_days_around_novruz(staff_service, centre):
    # Submitted on Thursday 19 March 2026, the day before the Novruz and Ramadan holidays.
    # Days off from 20 to 30 March (public holidays, weekends and transferred days, catalogue
    # data az/holidays.yaml): the first working day after is 31 March, and the 10th working day
    # is 13 April. Without the holidays it would have been 2 April.
    with _at(dt.date(2026, 3, 19)):
        household = make_household()
        case = case_submit(service=staff_service, applicant=head_of(household),
                           household=household, channel="centre", period="2026-03",
                           documents=["id_card"], centre=centre)
    assert case.due_on == dt.date(2026, 4, 13)
    expected = {
        dt.date(2026, 3, 27): (SlaState.ON_TIME, 10),   # in the middle of the holidays
        dt.date(2026, 4, 8): (SlaState.ON_TIME, 3),
        dt.date(2026, 4, 9): (SlaState.DUE_SOON, 2),
        dt.date(2026, 4, 13): (SlaState.DUE_SOON, 0),
        dt.date(2026, 4, 14): (SlaState.OVERDUE, -1),
    }
    for day, (state, left) in expected.items():
        with _at(day):
            row = work_queue(centre=centre, role="officer").rows[0]
        assert (day, row.sla, row.working_days_left) == (day, state, left)
