"""The registry admin: every model shown, nothing editable, bounded queries, decisions."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.db.models import Model
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dost.registry import models
from dost.registry.services import ChangeRequestKind, change_request_create
from dost.registry.tests.factories import (
    HouseholdFactory,
    IncomeFactory,
    MembershipFactory,
    PersonFactory,
)

pytestmark = pytest.mark.django_db


# The shared factories are untyped; these give the tests typed model instances.
def new_person(**attrs: Any) -> models.Person:
    return cast(models.Person, PersonFactory(**attrs))


def new_household(**attrs: Any) -> models.Household:
    return cast(models.Household, HouseholdFactory(**attrs))


def new_membership(**attrs: Any) -> models.Membership:
    return cast(models.Membership, MembershipFactory(**attrs))


def new_income(**attrs: Any) -> models.Income:
    return cast(models.Income, IncomeFactory(**attrs))


@pytest.fixture
def staff(client: Client) -> Client:
    root = User.objects.create(username="root", is_staff=True, is_superuser=True)
    client.force_login(root)
    return client


def queries(client: Client, url: str, **params: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params)
    assert response.status_code == 200, response.content[:500]
    return len(ctx.captured_queries)


def a_person_with_facts(facts: int) -> models.Person:
    person = new_person()
    new_membership(person=person, joined_on=dt.date(2010, 1, 1), left_on=dt.date(2015, 1, 1))
    new_membership(person=person, joined_on=dt.date(2015, 1, 1))
    for month in range(1, facts + 1):
        new_income(person=person, month=dt.date(2025, month, 1))
        models.PersonStatus.objects.create(
            person=person, kind="jobseeker", valid_from=dt.date(2025, month, 1),
            source=models.Source.SYSTEM,
        )
    return person


def test_it_registers_every_registry_model() -> None:
    for model in apps.get_app_config("registry").get_models():
        assert admin.site.is_registered(model), model


def test_it_loads_every_changelist(staff: Client) -> None:
    a_person_with_facts(1)
    for model in apps.get_app_config("registry").get_models():
        url = reverse(f"admin:registry_{model._meta.model_name}_changelist")
        assert staff.get(url).status_code == 200, url


def test_it_lists_persons_with_a_bounded_number_of_queries(staff: Client) -> None:
    url = reverse("admin:registry_person_changelist")
    for _ in range(3):
        new_person()
    queries(staff, url)  # warm caches (content types, session)
    few = queries(staff, url)
    for _ in range(30):
        new_person()
    many = queries(staff, url)
    assert many == few <= 10


def test_it_shows_a_person_page_with_a_bounded_number_of_queries(staff: Client) -> None:
    small, large = a_person_with_facts(1), a_person_with_facts(12)
    queries(staff, reverse("admin:registry_person_change", args=[small.pk]))  # warm caches
    small_queries = queries(staff, reverse("admin:registry_person_change", args=[small.pk]))
    large_queries = queries(staff, reverse("admin:registry_person_change", args=[large.pk]))
    assert large_queries == small_queries <= 30


def test_it_shows_a_persons_facts_memberships_and_history_read_only(staff: Client) -> None:
    person = a_person_with_facts(2)
    models.RegistryChange.objects.create(
        source=models.Source.SYSTEM, model="registry.Person", object_id=person.pk,
        before={"phone": ""}, after={"phone": "+994 55 000 00 00"},
    )
    page = staff.get(reverse("admin:registry_person_change", args=[person.pk])).content.decode()
    assert "+994 55 000 00 00" in page
    assert 'name="last_name"' not in page, "no editable inputs"
    assert "Monthly incomes" in page and "Statuses" in page and "Memberships" in page
    household = models.Membership.objects.get(person=person, left_on__isnull=True).household
    assert reverse("admin:registry_household_change", args=[household.pk]) in page


@pytest.mark.parametrize("model", [models.Person, models.Income, models.LifeEvent,
                                   models.RegistryChange, models.Membership])
def test_it_offers_no_add_change_or_delete(staff: Client, model: type[Model]) -> None:
    add = reverse(f"admin:registry_{model._meta.model_name}_add")
    assert staff.get(add).status_code == 403
    model_admin: admin.ModelAdmin[Any] = admin.site.get_model_admin(model)
    request = RequestFactory().get("/")
    request.user = User.objects.get(username="root")
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_it_finds_a_person_by_personal_id_or_name(staff: Client) -> None:
    target = new_person(last_name="Hüseynov", first_name="Rauf")
    new_person(last_name="Quliyev", first_name="Rauf")
    url = reverse("admin:registry_person_changelist")

    new_person(last_name="Hüseynov", first_name="Kamal")

    def found(q: str) -> list[models.Person]:
        return list(staff.get(url, {"q": q}).context["cl"].result_list)

    assert found(target.personal_id.lower()) == [target]
    assert found("Hüseynov Rau") == [target]
    assert len(found("Hüseynov")) == 2
    assert found("Hüsey Rau") == [target], "prefixes of both names, when no full last name"


# --- Deciding change requests ------------------------------------------------------------------


@pytest.fixture
def pending() -> models.ChangeRequest:
    operator = User.objects.create(username="operator")
    operator.user_permissions.add(Permission.objects.get(codename="add_changerequest"))
    person = new_person(phone="")
    new_membership(person=person, household=new_household())
    return change_request_create(
        requested_by=User.objects.get(pk=operator.pk), kind=ChangeRequestKind.PERSON_UPDATE,
        person=person, payload={"phone": "+994 12 345 67 89"}, reason="Form 12 signed",
    )


def test_it_approves_a_change_request_through_the_service(
        staff: Client, pending: models.ChangeRequest) -> None:
    url = reverse("admin:registry_changerequest_decide", args=[pending.pk])
    assert "+994 12 345 67 89" in staff.get(url).content.decode()

    response = staff.post(url, {"approve": "1", "note": "checked"})

    assert response.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.decision_note) == ("applied", "checked")
    assert models.RegistryChange.objects.filter(change_request=pending).count() == 1


def test_it_shows_why_a_rejection_was_refused(staff: Client,
                                              pending: models.ChangeRequest) -> None:
    url = reverse("admin:registry_changerequest_decide", args=[pending.pk])
    response = staff.post(url, {"reject": "1", "note": ""})
    assert response.status_code == 200
    assert "Say why the request is rejected." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_it_refuses_the_decision_page_to_staff_without_the_permission(
        client: Client, pending: models.ChangeRequest) -> None:
    clerk = User.objects.create(username="clerk", is_staff=True)
    client.force_login(clerk)
    url = reverse("admin:registry_changerequest_decide", args=[pending.pk])
    assert client.post(url, {"approve": "1"}).status_code == 403
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_it_approves_selected_requests_with_an_action(staff: Client,
                                                      pending: models.ChangeRequest) -> None:
    url = reverse("admin:registry_changerequest_changelist")
    response = staff.post(url, {"action": "approve_selected", "_selected_action": [pending.pk]})
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "applied"


def test_it_records_a_change_request_from_the_admin(client: Client) -> None:
    clerk = User.objects.create(username="clerk", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="add_changerequest"))
    client.force_login(clerk)
    person = new_person(phone="")
    new_membership(person=person)
    url = reverse("admin:registry_changerequest_add")
    form = {"kind": "person_update", "personal_id": person.personal_id, "household": "",
            "reason": "Phone changed"}

    refused = client.post(url, {**form, "payload": '{"phone": "+994", "shoe_size": 42}'})
    accepted = client.post(url, {**form, "payload": '{"phone": "+994 50 000 00 00"}'})

    assert refused.status_code == 200
    assert "shoe_size: unknown field" in refused.content.decode()
    assert accepted.status_code == 302
    cr = models.ChangeRequest.objects.get()
    assert (cr.requested_by, cr.status, cr.payload) == (clerk, "pending",
                                                        {"phone": "+994 50 000 00 00"})
    person.refresh_from_db()
    assert person.phone == "", "nothing applies before approval"


def test_it_refuses_the_request_form_without_the_permission(client: Client) -> None:
    client.force_login(User.objects.create(username="visitor", is_staff=True))
    assert client.get(reverse("admin:registry_changerequest_add")).status_code == 403
