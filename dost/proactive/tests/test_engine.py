from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dost.benefits.models import Award, AwardStatus, Frequency, Payment
from dost.benefits.services.awards import award_create
from dost.benefits.services.payroll import payroll_run
from dost.cases.models import Case, Notification
from dost.catalog.models import Service
from dost.proactive.models import ActionKind, EventCursor, ProactiveAction
from dost.proactive.services.assign import Screen
from dost.proactive.services.engine import day_consume, events_consume, screen_events
from dost.proactive.tests.conftest import (
    CHILD_UNDER_ONE,
    CHILDBIRTH,
    DISABILITY,
    FUNERAL,
    PENSION,
    Family,
    insured,
    send,
)
from dost.registry.models import LifeEvent, Person
from dost.registry.tests.factories import fin_for

pytestmark = pytest.mark.usefixtures("az_world")


def _birth(family: Family, on: dt.date, n: int = 1) -> Person:
    send("birth", on, personal_id=fin_for(800_000 + n), last_name="Əliyeva", first_name="Nur",
         sex="F", mother_personal_id=family.wife.personal_id)
    return Person.objects.get(personal_id=fin_for(800_000 + n))


def test_it_awards_the_childbirth_lump_sum_with_no_application(
    django_capture_on_commit_callbacks: object,
) -> None:
    family = Family()
    child = _birth(family, dt.date(2026, 5, 12))
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        result = events_consume()
    award = Award.objects.get(service__code=CHILDBIRTH)
    assert (award.person, award.frequency, award.start) == (
        child, Frequency.LUMP_SUM, dt.date(2026, 5, 12)
    )
    assert award.amounts.get().amount > 0
    case = Case.objects.get(service__code=CHILDBIRTH)
    # The mother applies (and is told) for the child, whose outputs the rules read.
    assert (case.channel, case.status, case.applicant, case.beneficiary) == (
        "proactive", "decided", family.wife, child
    )
    assert award.decision == case.decisions.get(is_current=True)
    told = Notification.objects.filter(case=case, event__status_to="decided")
    assert set(told.values_list("person", flat=True)) == {family.wife.pk}
    assert result.events == 1
    assert EventCursor.objects.get(name="proactive").last_event_id == result.last_event_id


def test_it_handles_an_event_only_once_even_from_a_rewound_cursor() -> None:
    family = Family()
    _birth(family, dt.date(2026, 5, 12))
    events_consume()
    assert events_consume().events == 0
    EventCursor.objects.filter(name="proactive").update(last_event_id=0)
    again = events_consume()
    assert (again.events, again.actions) == (1, [])
    assert Award.objects.filter(service__code=CHILDBIRTH).count() == 1
    assert Case.objects.filter(service__code=CHILDBIRTH).count() == 1


def test_it_evaluates_only_the_services_the_event_can_affect() -> None:
    family = Family()
    _birth(family, dt.date(2026, 5, 12))
    events_consume()
    codes = set(ProactiveAction.objects.values_list("service__code", flat=True))
    assert CHILDBIRTH in codes
    assert FUNERAL not in codes  # depends on the death date, not the birth date


def test_it_ends_the_deceased_awards_and_stops_the_next_payroll(pension: Service) -> None:
    family = Family()
    old = family.member(sex="M", birth_date=dt.date(1950, 1, 1))
    award = award_create(service=pension, person=old, amount=Decimal("400.00"), currency="AZN",
                         frequency=Frequency.MONTHLY, start=dt.date(2026, 1, 1))
    payroll_run(period="2026-04")
    send("death", dt.date(2026, 4, 15), personal_id=old.personal_id)
    events_consume()
    award.refresh_from_db()
    assert (award.status, award.end) == (AwardStatus.ENDED, dt.date(2026, 4, 30))
    may = payroll_run(period="2026-05").run
    assert not Payment.objects.filter(award=award, period="2026-05").exists()
    # The only payment of May is the funeral grant, to the survivor.
    assert list(Payment.objects.filter(run=may).values_list("award__service__code",
                                                             "award__person")) == [
        (FUNERAL, family.husband.pk)
    ]


def test_it_awards_the_funeral_grant_to_the_surviving_spouse() -> None:
    family = Family()
    insured(family.husband)
    send("death", dt.date(2026, 5, 15), personal_id=family.husband.personal_id)
    events_consume()
    action = ProactiveAction.objects.get(service__code=FUNERAL)
    assert (action.kind, action.person) == (ActionKind.AWARD, family.husband)
    case = Case.objects.get(service__code=FUNERAL)
    assert (case.applicant, case.beneficiary, case.status) == (
        family.wife, family.husband, "decided"
    )
    award = Award.objects.get(service__code=FUNERAL)
    assert (award.person, award.frequency, award.start) == (
        family.wife, Frequency.LUMP_SUM, dt.date(2026, 5, 15)
    )
    assert award.amounts.get().amount > 0


def test_it_awards_the_funeral_grant_of_a_relative_to_the_oldest_adult() -> None:
    family = Family()
    old = family.member(sex="M", birth_date=dt.date(1950, 1, 1))
    insured(old)
    send("death", dt.date(2026, 5, 15), personal_id=old.personal_id)
    events_consume()
    case = Case.objects.get(service__code=FUNERAL)
    assert (case.applicant, case.beneficiary) == (family.husband, old)
    assert Award.objects.get(service__code=FUNERAL).person == family.husband


def test_it_asks_staff_when_no_adult_survives_to_receive_the_funeral_grant() -> None:
    family = Family()
    for person in (family.husband, family.wife):
        person.death_date = dt.date(2026, 5, 1)
        person.save(update_fields=["death_date"])
    child = family.member(role="child", birth_date=dt.date(2015, 1, 1))
    old = family.member(sex="M", birth_date=dt.date(1950, 1, 1))
    insured(old)
    send("death", dt.date(2026, 5, 15), personal_id=old.personal_id)
    events_consume()
    action = ProactiveAction.objects.get(service__code=FUNERAL)
    assert (action.kind, action.status) == (ActionKind.TASK, "open")
    assert not Case.objects.filter(service__code=FUNERAL, applicant=child).exists()
    assert not Award.objects.filter(service__code=FUNERAL).exists()


def test_it_awards_the_disability_benefit_from_the_determination() -> None:
    family = Family()
    send("disability_determined", dt.date(2026, 5, 4), personal_id=family.husband.personal_id,
         impairment_percent=85, group=1, valid_from="2026-05-01")
    events_consume()
    award = Award.objects.get(service__code=DISABILITY)
    assert (award.person, award.frequency, award.start) == (
        family.husband, Frequency.MONTHLY, dt.date(2026, 5, 1)
    )
    assert award.amounts.get().amount > 0


def test_it_assigns_the_old_age_pension_on_the_day_the_age_is_reached() -> None:
    family = Family()
    man = family.member(sex="M", birth_date=dt.date(1961, 5, 20))
    insured(man)
    result = day_consume(on=dt.date(2026, 5, 20))
    award = Award.objects.get(service__code=PENSION)
    assert (award.person, award.start) == (man, dt.date(2026, 6, 1))
    case = Case.objects.get(service__code=PENSION)
    assert case.submitted_on == dt.date(2026, 5, 20)
    assert [a.kind for a in result.actions] == [ActionKind.AWARD]
    assert day_consume(on=dt.date(2026, 5, 20)).actions == []


def test_it_invites_to_apply_when_the_insurance_record_is_missing() -> None:
    family = Family()
    family.member(sex="M", birth_date=dt.date(1961, 5, 20))
    day_consume(on=dt.date(2026, 5, 20))
    action = ProactiveAction.objects.get(service__code=PENSION)
    assert (action.kind, action.status) == (ActionKind.INVITE, "open")
    assert not Award.objects.exists()


def test_it_ends_a_child_benefit_when_the_child_turns_one() -> None:
    family = Family()
    child = family.member(role="child", birth_date=dt.date(2025, 5, 20))
    service = Service.objects.get(country="az", code=CHILD_UNDER_ONE)
    award = award_create(service=service, person=child, amount=Decimal("100.00"),
                         currency="AZN", frequency=Frequency.MONTHLY, start=dt.date(2025, 6, 1))
    result = day_consume(on=dt.date(2026, 5, 20))
    award.refresh_from_db()
    assert (award.status, award.end, result.ended) == (
        AwardStatus.ENDED, dt.date(2026, 5, 19), 1
    )


@pytest.fixture
def pension(az_world: None) -> Service:
    return Service.objects.get(country="az", code=PENSION)


def test_it_screens_a_page_of_events_in_one_vectorised_pass() -> None:
    family = Family()
    _birth(family, dt.date(2026, 5, 12))
    old = family.member(sex="M", birth_date=dt.date(1950, 1, 1))
    event = send("death", dt.date(2026, 5, 15), personal_id=old.personal_id)
    screens = screen_events(list(LifeEvent.objects.order_by("id")))
    by_code = {
        (event_id, Service.objects.get(pk=service_id).code): screen
        for (event_id, service_id), screen in screens.items()
    }
    birth_id = LifeEvent.objects.get(type="birth").pk
    assert by_code[(birth_id, CHILDBIRTH)] == Screen(eligible=True, gate_open=False)
    assert by_code[(birth_id, PENSION)] == Screen(eligible=False, gate_open=False)
    assert (event.pk, FUNERAL) in by_code
