from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from dost.benefits.models import Award, AwardStatus, Frequency
from dost.benefits.services.awards import award_create
from dost.catalog.models import Service
from dost.proactive.models import ActionKind, NonTakeUp, ProactiveAction
from dost.proactive.selectors import actions_open, non_take_up_counts, proactive_kpis
from dost.proactive.services.assign import award_refuse, offer_accept, offer_decline
from dost.proactive.services.engine import events_consume
from dost.proactive.services.scan import outreach_write, scan_non_take_up
from dost.proactive.tests.conftest import CHILDBIRTH, DISABILITY, TSSA, Family, send
from dost.registry.models import DisabilityDetermination, Source
from dost.registry.tests.factories import fin_for

pytestmark = pytest.mark.usefixtures("az_world")


def _poor_family_with_a_birth() -> Family:
    family = Family(wage="0")
    send("birth", dt.date(2026, 5, 12), personal_id=fin_for(810_001), last_name="Əliyeva",
         first_name="Nur", sex="F", mother_personal_id=family.wife.personal_id)
    events_consume()
    return family


def test_it_offers_tssa_to_a_family_with_no_income_and_makes_the_award_on_acceptance() -> None:
    family = _poor_family_with_a_birth()
    offer = ProactiveAction.objects.get(service__code=TSSA)
    assert (offer.kind, offer.status) == (ActionKind.OFFER, "open")
    assert offer.case is not None and offer.case.applicant == family.husband
    assert not Award.objects.filter(service__code=TSSA).exists()
    award = offer_accept(action=offer)
    assert (award.household, award.person, award.frequency) == (
        family.household, None, Frequency.MONTHLY
    )
    with pytest.raises(ValidationError):
        offer_accept(action=offer)


def test_it_lets_the_citizen_decline_an_offer() -> None:
    _poor_family_with_a_birth()
    offer = ProactiveAction.objects.get(service__code=TSSA)
    assert offer_decline(action=offer).status == "refused"
    assert not Award.objects.filter(service__code=TSSA).exists()


def test_it_lets_the_citizen_refuse_an_automatic_award() -> None:
    _poor_family_with_a_birth()
    action = ProactiveAction.objects.get(service__code=CHILDBIRTH)
    award_refuse(action=action)
    assert Award.objects.get(service__code=CHILDBIRTH).status == AwardStatus.ENDED


def _disabled(family: Family) -> None:
    for person in (family.husband, family.wife):
        DisabilityDetermination.objects.create(
            person=person, impairment_percent=90, group=1, valid_from=dt.date(2025, 1, 1),
            source=Source.SYSTEM,
        )


def test_it_lists_people_likely_eligible_and_not_paid_by_district(tmp_path: Path) -> None:
    family = Family()
    _disabled(family)
    service = Service.objects.get(country="az", code=DISABILITY)
    award_create(service=service, person=family.wife, amount=Decimal("250.00"), currency="AZN",
                 frequency=Frequency.MONTHLY, start=dt.date(2025, 1, 1))
    result = scan_non_take_up(period="2026-05", country="az")
    found = NonTakeUp.objects.get(service=service)
    assert found.person == family.husband
    assert found.district == family.household.district
    assert found.amount is not None and found.amount > 0
    assert result.by_district[family.household.district.code] >= 1
    again = scan_non_take_up(period="2026-05", country="az")
    assert again.found == result.found == NonTakeUp.objects.filter(period="2026-05").count()
    [path] = outreach_write(period="2026-05", directory=tmp_path)
    assert family.household.district.code in path.name
    assert family.husband.personal_id in path.read_text(encoding="utf-8")


def test_it_reports_the_proactive_share_and_the_days_to_decision() -> None:
    _poor_family_with_a_birth()
    offer = ProactiveAction.objects.get(service__code=TSSA)
    offer_accept(action=offer)
    kpis = {k.service: k for k in proactive_kpis()}
    assert kpis[CHILDBIRTH].proactive_share == 1.0
    # Born on the 12th, decided on the 20th (the day the engine ran).
    assert kpis[CHILDBIRTH].days_event_to_decision == 8.0
    assert [a.kind for a in actions_open()] == []


def test_it_counts_non_take_up_by_district_and_runs_from_the_command_line() -> None:
    family = Family()
    _disabled(family)
    out = io.StringIO()
    call_command("proactive", "scan", "--period", "2026-05", "--country", "az", stdout=out)
    district = family.household.district.code
    assert non_take_up_counts(period="2026-05")[(district, DISABILITY)] == 2
    assert f"{district}: " in out.getvalue()
    call_command("proactive", "consume", stdout=out)
    call_command("proactive", "day", "--on", "2026-05-20", stdout=out)
    assert "0 events" in out.getvalue()
