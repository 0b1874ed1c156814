"""The social worker's screens: proactive tasks and invitations, resolving one, outreach lists
with the outcome of each contact, all within the worker's area."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

import pytest
from django.contrib.auth.models import User
from django.test import Client

from dost.audit.models import AccessRecord, ChangeRecord
from dost.backoffice import views
from dost.proactive.models import (
    ActionKind,
    ActionStatus,
    NonTakeUp,
    OutreachContact,
    OutreachOutcome,
    ProactiveAction,
)
from dost.registry.models import District, Person
from dost.registry.tests.factories import DistrictFactory, RegionFactory
from dost.security.models import StaffAssignment
from dost.security.roles import Role as StaffRole

from .conftest import World, person, staff_user

PERIOD = "2026-03"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def move(who: Person, district: District) -> Person:
    who.district = district
    who.save(update_fields=["district"])
    return who


def action(
    who: Person, kind: str = ActionKind.TASK, status: str = ActionStatus.OPEN, **extra: Any
) -> ProactiveAction:
    return ProactiveAction.objects.create(
        key=f"test:{kind}:{who.pk}:{ProactiveAction.objects.count()}",
        trigger="birth",
        person=who,
        kind=kind,
        status=status,
        **extra,
    )


def far_district() -> District:
    """A district of another region than the world's (the factories' default)."""
    return cast(
        District,
        DistrictFactory(
            code="AZ-GA-01", name="Gəncə", region=RegionFactory(code="AZ-GA", name="Gəncə")
        ),
    )


def stranger() -> Person:
    return person("Uzaq", "Adam", district=far_district())


def worker_of(district: District | None, name: str = "worker") -> User:
    user = staff_user(name, StaffRole.SOCIAL_WORKER)
    if district is not None:
        StaffAssignment.objects.create(user=user, region=district.region)
    return user


@pytest.fixture
def here(world: World) -> District:
    """The district of the Məmmədov household; the world's head and spouse live in it."""
    district = world.household.district
    move(world.head, district)
    move(world.spouse, district)
    return district


# --- Tasks ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_lists_the_open_tasks_and_invitations_of_the_workers_area(
    world: World,
    here: District,
) -> None:
    task = action(world.head, note="No household on record.", service=world.tssa)
    invite = action(world.spouse, kind=ActionKind.INVITE)
    action(world.head, status=ActionStatus.DONE)
    action(world.head, kind=ActionKind.AWARD)  # the engine's own work, not staff's
    far = action(stranger())  # lives in a district of another region
    response = signed_in(worker_of(here)).get("/backoffice/proactive/tasks/")
    assert response.status_code == 200
    assert [a.pk for a, _trigger in response.context["rows"]] == [task.pk, invite.pk]
    assert "No household on record." in response.text and "Birth" in response.text
    assert f'href="/backoffice/proactive/tasks/{task.pk}/"' in response.text
    # Reading the list is a read of the persons on it.
    assert set(
        AccessRecord.objects.filter(what="proactive task").values_list("person_id", flat=True)
    ) == {world.head.pk, world.spouse.pk}
    # A national-scope worker (no assignment) sees every area.
    everyone = signed_in(worker_of(None, "national")).get("/backoffice/proactive/tasks/")
    assert [a.pk for a, _t in everyone.context["rows"]] == [task.pk, invite.pk, far.pk]


@pytest.mark.django_db
def test_a_worker_closes_a_task_saying_what_was_done(world: World, here: District) -> None:
    task = action(world.head, note="Income of last year unclear.")
    worker = worker_of(here)
    client = signed_in(worker)
    url = f"/backoffice/proactive/tasks/{task.pk}/"
    assert "Mark as done" in client.get(url).text
    empty = client.post(url, {"resolution": "  "})
    assert empty.status_code == 400 and "Say what you did." in empty.text
    done = client.post(url, {"resolution": "Called the tax office; income added."})
    assert (done.status_code, done["Location"]) == (302, "/backoffice/proactive/tasks/")
    task.refresh_from_db()
    assert (task.status, task.resolved_by, task.resolution) == (
        ActionStatus.DONE,
        worker,
        "Called the tax office; income added.",
    )
    change = ChangeRecord.objects.get(
        object_type="proactive.proactiveaction", object_id=str(task.pk)
    )
    assert (change.action, change.actor, change.person_id) == ("resolve", worker, world.head.pk)
    assert change.before is not None and change.before["status"] == "open"
    assert change.after is not None and change.after["status"] == "done"
    # Closed: no form any more, and a second close is refused.
    assert "Mark as done" not in client.get(url).text
    again = client.post(url, {"resolution": "Twice."}, follow=True)
    assert again.redirect_chain == [(url, 302)]
    assert "This task is no longer open." in again.text
    assert signed_in(worker).get("/backoffice/proactive/tasks/").context["rows"] == []


@pytest.mark.django_db
def test_a_task_outside_the_workers_area_is_not_found(world: World, here: District) -> None:
    far = action(stranger())
    client = signed_in(worker_of(here))
    assert client.get(f"/backoffice/proactive/tasks/{far.pk}/").status_code == 404
    assert (
        client.post(f"/backoffice/proactive/tasks/{far.pk}/", {"resolution": "x"}).status_code
        == 404
    )
    award = action(world.head, kind=ActionKind.AWARD)  # not a staff task
    assert client.get(f"/backoffice/proactive/tasks/{award.pk}/").status_code == 404


# --- Outreach lists ---------------------------------------------------------------------------


def non_take_up(world: World, who: Person, district: District, **extra: Any) -> NonTakeUp:
    return NonTakeUp.objects.create(
        period=extra.pop("period", PERIOD),
        service=extra.pop("service", world.tssa),
        person=who,
        household=world.household,
        district=district,
        amount=extra.pop("amount", Decimal("120.00")),
        **extra,
    )


@pytest.mark.django_db
def test_the_outreach_list_is_filtered_paged_and_links_to_the_360_view(
    world: World,
    here: District,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other_district = cast(
        District, DistrictFactory(region=here.region, code="OTHER-1", name="Other")
    )
    head = non_take_up(world, world.head, here)
    spouse = non_take_up(world, world.spouse, here, service=world.staff_service, amount=None)
    child = non_take_up(world, move(world.child, other_district), other_district)
    non_take_up(world, world.head, here, period="2026-02")
    non_take_up(world, stranger(), far_district())  # another region
    client = signed_in(worker_of(here))
    # The latest period is the default; persons of other regions are never listed.
    whole = client.get("/backoffice/proactive/outreach/")
    assert whole.status_code == 200
    assert {r.pk for r, _o in whole.context["rows"]} == {head.pk, spouse.pk, child.pk}
    assert whole.context["form"]["period"].value() == PERIOD
    assert f'href="/backoffice/people/{world.head.pk}/?purpose=eligibility%20check"' in whole.text
    assert "120.00" in whole.text and "Not contacted yet" in whole.text
    # By district and by service.
    by_district = client.get("/backoffice/proactive/outreach/", {"district": here.code})
    assert {r.pk for r, _o in by_district.context["rows"]} == {head.pk, spouse.pk}
    by_service = client.get(
        "/backoffice/proactive/outreach/", {"district": here.code, "service": world.tssa.code}
    )
    assert [r.pk for r, _o in by_service.context["rows"]] == [head.pk]
    # Districts of other regions are not offered.
    assert (
        client.get("/backoffice/proactive/outreach/", {"district": "NOWHERE"}).context["page"]
        is None
    )
    # Pages, the filter carried along.
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    first = client.get("/backoffice/proactive/outreach/", {"period": PERIOD})
    assert len(first.context["rows"]) == 2
    assert f"period={PERIOD}&amp;page=2" in first.text
    second = client.get("/backoffice/proactive/outreach/", {"period": PERIOD, "page": "2"})
    assert len(second.context["rows"]) == 1
    assert (
        client.get("/backoffice/proactive/outreach/", {"period": "2026-13"}).context["page"] is None
    )


@pytest.mark.django_db
def test_a_worker_records_the_outcome_of_a_contact_and_it_survives_a_rescan(
    world: World,
    here: District,
) -> None:
    row = non_take_up(world, world.head, here)
    worker = worker_of(here)
    client = signed_in(worker)
    url = f"/backoffice/proactive/outreach/{row.pk}/"
    page = client.get(url)
    assert page.status_code == 200 and "Nobody has recorded a contact yet." in page.text
    missing = client.post(url, {"note": "Called."})
    assert missing.status_code == 400 and "Choose what came of the contact." in missing.text
    done = client.post(url, {"outcome": "applied", "note": "Will apply at the centre."})
    assert done.status_code == 302
    assert done["Location"] == (
        f"/backoffice/proactive/outreach/?period={PERIOD}"
        f"&district={here.code}&service={world.tssa.code}"
    )
    contact = OutreachContact.objects.get()
    assert (contact.outcome, contact.recorded_by, contact.person) == (
        OutreachOutcome.APPLIED,
        worker,
        world.head,
    )
    assert (
        ChangeRecord.objects.filter(
            object_type="proactive.outreachcontact", person=world.head, actor=worker
        ).count()
        == 1
    )
    listed = client.get(done["Location"])
    assert [o for _r, o in listed.context["rows"]] == ["Applied"]
    assert client.get("/backoffice/proactive/outreach/", {"outcome": "none"}).context["rows"] == []
    # The nightly scan replaces the period's rows; the outcome stays with the person.
    row.delete()
    again = non_take_up(world, world.head, here)
    assert [
        (r.pk, o)
        for r, o in client.get("/backoffice/proactive/outreach/", {"outcome": "applied"}).context[
            "rows"
        ]
    ] == [(again.pk, "Applied")]
    assert (
        "Will apply at the centre."
        in client.get(f"/backoffice/proactive/outreach/{again.pk}/").text
    )


@pytest.mark.django_db
def test_the_outreach_list_costs_the_same_queries_however_long(
    world: World,
    here: District,
    django_assert_max_num_queries: Any,
) -> None:
    client = signed_in(worker_of(here))
    for i in range(3):
        non_take_up(world, person("Qonşu", f"Ad{i}", district=here), here)
    client.get("/backoffice/proactive/outreach/")
    # Session, user, permissions (2), latest period, scope (twice: districts, rows), the
    # districts and services of the filter, the count, the page, the audit INSERT, the groups
    # the audit names: nothing per row.
    with django_assert_max_num_queries(15):
        few = client.get("/backoffice/proactive/outreach/")
    for i in range(3, 40):
        non_take_up(world, person("Qonşu", f"Ad{i}", district=here), here)
    with django_assert_max_num_queries(15):
        many = client.get("/backoffice/proactive/outreach/")
    assert len(many.context["rows"]) == 40 > len(few.context["rows"])


@pytest.mark.django_db
def test_only_proactive_staff_open_these_pages(world: World, here: District) -> None:
    row = non_take_up(world, world.head, here)
    task = action(world.head)
    officer = signed_in(world.officer)  # a case officer: no proactive work
    for url in (
        "/backoffice/proactive/tasks/",
        f"/backoffice/proactive/tasks/{task.pk}/",
        "/backoffice/proactive/outreach/",
        f"/backoffice/proactive/outreach/{row.pk}/",
    ):
        assert officer.get(url).status_code == 403, url
    assert "Proactive tasks" not in officer.get("/backoffice/").text
    home = signed_in(worker_of(here)).get("/backoffice/").text
    assert 'href="/backoffice/proactive/tasks/"' in home
    assert 'href="/backoffice/proactive/outreach/"' in home
    supervisor = signed_in(world.supervisor)
    assert supervisor.get("/backoffice/proactive/outreach/").status_code == 200
