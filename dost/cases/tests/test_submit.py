from __future__ import annotations

from typing import cast

import pytest
from django.core.exceptions import ValidationError

from dost.cases import services
from dost.cases.models import Case, CaseDocument, CaseEvent, CaseKind, CaseStatus, QueueRole
from dost.cases.services import case_submit
from dost.cases.tests.conftest import ALL_CHANNELS, TSSA, head_of, make_household
from dost.registry.models import Person
from dost.registry.tests.factories import PersonFactory

TSSA_DOCS = ["application", "family_id_cards", "birth_certificate"]


def _counts() -> tuple[int, int, int]:
    return Case.objects.count(), CaseDocument.objects.count(), CaseEvent.objects.count()


@pytest.mark.django_db
def test_it_makes_the_same_kind_of_case_from_every_channel(staff_service, officer, centre):
    cases = []
    for channel in ALL_CHANNELS:
        household = make_household()
        cases.append(case_submit(
            service=staff_service, applicant=head_of(household), household=household,
            channel=channel, period="2026-03",
            documents=[] if channel == "proactive" else ["id_card"],
            actor=None if channel == "proactive" else officer, centre=centre,
        ))
    assert [c.channel for c in cases] == ALL_CHANNELS
    for case in cases:
        case.refresh_from_db()
        assert type(case) is Case
        assert case.kind == CaseKind.APPLICATION
        assert case.status == CaseStatus.SUBMITTED
        assert case.queue_role == QueueRole.OFFICER
        assert case.due_on > case.submitted_on
        assert case.events.get().status_to == CaseStatus.SUBMITTED
    assert CaseDocument.objects.filter(code="id_card").count() == len(ALL_CHANNELS) - 1


@pytest.mark.django_db
def test_it_accepts_personal_id_and_household_reference(staff_service):
    household = make_household()
    head = head_of(household)
    case = case_submit(
        service=staff_service.code, applicant=head.personal_id, household=household.reference,
        channel="portal", period="2026-03", documents=["id_card"], actor=None,
    )
    assert case.applicant == head
    assert case.household == household


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"applicant": "ZZZZZZZ"}, services.MSG_UNKNOWN_PERSON),
        ({"household": "no-such-household"}, services.MSG_UNKNOWN_HOUSEHOLD),
        ({"service": "88-88-88-88"}, services.MSG_UNKNOWN_SERVICE),
        ({"channel": "call_centre"}, services.MSG_CHANNEL_NOT_OFFERED),
        ({"channel": "fax"}, services.MSG_UNKNOWN_CHANNEL),
        ({"period": "2026-13"}, services.MSG_BAD_PERIOD),
        ({"documents": ["application"]}, services.MSG_MISSING_DOCUMENTS),
        ({"documents": [*TSSA_DOCS, "passport_photo"]}, services.MSG_UNKNOWN_DOCUMENTS),
    ],
)
def test_it_refuses_bad_input_with_a_clear_error_and_writes_nothing(az_world, change, message):
    household = make_household()
    args = {
        "service": TSSA, "applicant": head_of(household), "household": household,
        "channel": "portal", "period": "2026-03", "documents": TSSA_DOCS, "actor": None,
    }
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        case_submit(**(args | change))
    expected = str(message).split("%")[0].strip()
    assert expected in caught.value.messages[0]
    assert _counts() == before


@pytest.mark.django_db
def test_it_refuses_a_person_who_is_not_in_the_household(az_world):
    household = make_household()
    stranger = cast(Person, PersonFactory())
    with pytest.raises(ValidationError) as caught:
        case_submit(service=TSSA, applicant=stranger, household=household, channel="portal",
                    period="2026-03", documents=TSSA_DOCS, actor=None)
    assert caught.value.code == "not_a_member"
    assert stranger.full_name in caught.value.messages[0]
    assert household.reference in caught.value.messages[0]
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_it_refuses_a_duplicate_open_application(staff_service):
    household = make_household()
    args = {"service": staff_service, "applicant": head_of(household), "household": household,
            "channel": "portal", "period": "2026-03", "documents": ["id_card"], "actor": None}
    first = case_submit(**args)
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        case_submit(**args)
    assert caught.value.code == "duplicate"
    assert first.reference in caught.value.messages[0]
    assert _counts() == before


@pytest.mark.django_db
def test_it_needs_no_documents_when_the_state_starts_the_case(az_world):
    household = make_household()
    case = case_submit(service=TSSA, applicant=head_of(household), household=household,
                       channel="proactive", period="2026-03", documents=[], actor=None)
    assert case.status == CaseStatus.DECIDED
    assert case.documents.count() == 0


def test_it_reads_a_case_key_back_from_its_reference():
    from dost.cases.selectors import case_id_from_reference

    assert case_id_from_reference("C-00001234") == 1234
    assert case_id_from_reference("c-7") == 7
    assert case_id_from_reference("T-00001234") is None
    assert case_id_from_reference("C-12a") is None
