"""The cabinet: what a citizen sees of their household, and nothing of another's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from dost.benefits.models import Award, AwardAmount, Frequency
from dost.cases.models import CaseEvent, Notification, NotificationStatus
from dost.cases.selectors import decision_explanation_text
from dost.cases.services import case_submit
from dost.catalog.models import Service
from dost.centres.services import appointment_book
from dost.proactive.models import ActionKind, ActionStatus, ProactiveAction
from dost.registry.models import InsuranceRecord, Source

from .conftest import CERTIFICATE, TSSA, World


def _award(world: World, household: Any, amount: str = "120.00") -> Award:
    service = Service.objects.get(code=TSSA)
    award = Award.objects.create(
        service=service, household=household, frequency=Frequency.MONTHLY, currency="AZN",
        start=dt.date(2026, 1, 1),
    )
    AwardAmount.objects.create(award=award, amount=Decimal(amount), valid_from=award.start)
    return award


def _slot_tomorrow(world: World) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=timezone.get_current_timezone())


def test_it_shows_me_my_household_and_my_insurance_record(
    world: World, citizen_client: Client,
) -> None:
    InsuranceRecord.objects.create(
        person=world.citizen, as_of=dt.date(2026, 1, 1), record_months=245,
        pension_capital=Decimal("18250.40"), source=Source.SYSTEM,
    )
    html = citizen_client.get(reverse("portal:cabinet")).content.decode()
    for membership in world.household.memberships.select_related("person"):
        assert membership.person.full_name in html
    assert "Spouse" in html and "Child" in html
    assert world.other.full_name not in html
    assert "245 months" in html and "18250.40 AZN" in html


def test_it_keeps_every_other_household_out_of_reach(
    world: World, citizen_client: Client,
) -> None:
    theirs = case_submit(service=CERTIFICATE, applicant=world.other,
                         household=world.other_household, channel="centre", period="2026-03",
                         documents=["id_card"])
    mine = case_submit(service=CERTIFICATE, applicant=world.citizen, household=world.household,
                       channel="centre", period="2026-03", documents=["id_card"])
    their_appointment = appointment_book(service_group=world.group, starts_at=_slot_tomorrow(world),
                                         name="Other", person=world.other)
    _award(world, world.other_household, amount="120.00")
    _award(world, world.household, amount="75.50")
    offer = ProactiveAction.objects.create(
        key="test:offer", trigger="test", person=world.other, household=world.other_household,
        kind=ActionKind.OFFER, status=ActionStatus.OPEN, case=theirs,
    )
    get = citizen_client.get
    assert get(reverse("portal:application", args=[mine.pk])).status_code == 200
    assert get(reverse("portal:application", args=[theirs.pk])).status_code == 404
    assert get(reverse("portal:apply_done", args=[theirs.pk])).status_code == 404
    assert get(reverse("portal:appointment_move", args=[their_appointment.pk])).status_code == 404
    assert get(reverse("portal:appointment_cancel", args=[their_appointment.pk])).status_code == 404
    assert citizen_client.post(
        reverse("portal:appointment_cancel", args=[their_appointment.pk])).status_code == 404
    assert citizen_client.post(reverse("portal:offer_accept", args=[offer.pk])).status_code == 404
    benefits = get(reverse("portal:benefits")).content.decode()
    assert "75.50 AZN" in benefits and "120.00" not in benefits
    listing = get(reverse("portal:applications")).content.decode()
    assert mine.reference in listing and theirs.reference not in listing


def test_it_explains_a_refusal_in_plain_words_in_the_current_language(
    world: World, citizen_client: Client,
) -> None:
    # A head earning 2,000 AZN a month: far above the 2026 need criterion of 300 AZN per member
    # (TSSA law art. 4), so the rules refuse for income.
    world.citizen.incomes.update(amount=Decimal("2000.00"))
    case = case_submit(service=TSSA, applicant=world.citizen, household=world.household,
                       channel="centre", period="2026-03",
                       documents=["application", "family_id_cards", "birth_certificate"])
    url = reverse("portal:application", args=[case.pk])
    english = citizen_client.get(url).content.decode()
    assert "Your application was refused." in english
    assert "The family&#x27;s average monthly income is not below the need criterion" in english
    with translation.override("ru"):
        russian = citizen_client.get(url, headers={"accept-language": "ru"}).content.decode()
    assert "Среднемесячный доход семьи не ниже критерия нуждаемости" in russian
    decision = case.decisions.get()
    assert decision_explanation_text(decision=decision, language="ru").splitlines()[0] in russian


def test_it_lets_me_accept_an_offer_in_one_step(world: World, citizen_client: Client) -> None:
    # No income at all: a family of three gets 3 x 300 = 900 AZN (TSSA law art. 4, 2026
    # need criterion), the average income being 0.
    world.citizen.incomes.all().delete()
    case = case_submit(service=TSSA, applicant=world.citizen, household=world.household,
                       channel="proactive", period="2026-03")
    assert case.decisions.get().amount == Decimal("900.00")
    offer = ProactiveAction.objects.create(
        key="test:offer", trigger="test", service=case.service, person=world.citizen,
        household=world.household, kind=ActionKind.OFFER, status=ActionStatus.OPEN, case=case,
        start=dt.date(2026, 3, 1), period="2026-03",
    )
    page = citizen_client.get(reverse("portal:cabinet")).content.decode()
    assert "900.00 AZN a month" in page
    response = citizen_client.post(reverse("portal:offer_accept", args=[offer.pk]))
    assert response.status_code == 302
    offer.refresh_from_db()
    assert offer.status == ActionStatus.ACCEPTED and offer.award is not None
    benefits = citizen_client.get(reverse("portal:benefits")).content.decode()
    assert "900.00 AZN" in benefits
    month = timezone.localdate()
    assert f"{month.year:04d}-{month.month:02d}: 900.00 AZN" in benefits  # next expected
    # Answering twice does nothing more.
    citizen_client.post(reverse("portal:offer_accept", args=[offer.pk]))
    assert Award.objects.filter(case=case).count() == 1


def test_it_shows_the_inbox_and_marks_it_read(world: World, citizen_client: Client) -> None:
    case = case_submit(service=CERTIFICATE, applicant=world.citizen, household=world.household,
                       channel="centre", period="2026-03", documents=["id_card"])
    Notification.objects.create(
        event=CaseEvent.objects.filter(case=case).get(), case=case, person=world.citizen,
        channel="portal", language="en", subject="We received your application",
        body="Reference " + case.reference, status=NotificationStatus.SENT,
    )
    assert "1 unread message" in citizen_client.get(reverse("portal:cabinet")).content.decode()
    inbox = citizen_client.get(reverse("portal:inbox")).content.decode()
    assert "We received your application" in inbox
    assert Notification.objects.get(case=case, channel="portal").read_at is not None


def test_it_reads_the_cabinet_in_a_fixed_number_of_queries(
    world: World, citizen_client: Client, django_assert_max_num_queries: Any,
) -> None:
    for _ in range(3):
        _award(world, world.household)
    case_submit(service=CERTIFICATE, applicant=world.citizen, household=world.household,
                channel="centre", period="2026-03", documents=["id_card"])
    for name in ("cabinet", "benefits", "applications", "inbox", "appointments"):
        with django_assert_max_num_queries(14):
            assert citizen_client.get(reverse(f"portal:{name}")).status_code == 200
