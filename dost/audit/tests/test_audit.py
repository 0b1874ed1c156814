"""The audit log: append-only, written by every read of a person's data, shown to citizens
without staff names and searchable by auditors."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.db import DatabaseError, connection, transaction
from django.test import Client, RequestFactory
from django.urls import reverse

from dost.api.keys import client_create, key_issue
from dost.audit.admin import AccessRecordAdmin
from dost.audit.models import AccessRecord, AppendOnlyError, Channel
from dost.audit.selectors import access_records_search, accesses_for_person
from dost.audit.services import access_record, access_record_bulk
from dost.registry.models import Person
from dost.registry.tests.factories import PersonFactory, fin_for, household_with
from dost.security.testing import client_login_verified

pytestmark = pytest.mark.django_db

ALL_SCOPES = ["persons:read", "households:read", "persons:search", "awards:read",
              "payments:read"]


def a_person(n: int = 1) -> Person:
    return cast(Person, PersonFactory(personal_id=fin_for(n)))


def a_record(person: Person, **kw: object) -> AccessRecord:
    return access_record(person=person, what="person 360", purpose="case 1",
                         channel=Channel.BACKOFFICE, **kw)  # type: ignore[arg-type]


def api_client(name: str = "tax-service") -> Client:
    client = client_create(name=name, sender=name, scopes=ALL_SCOPES)
    key = key_issue(client=client).key
    return Client(headers={"Authorization": f"Bearer {key}", "X-Purpose": "case T-1"})


# --- Append-only ---------------------------------------------------------------------------------

def test_it_refuses_to_change_a_saved_record() -> None:
    record = a_record(a_person())
    record.purpose = "something else"
    with pytest.raises(AppendOnlyError):
        record.save()
    assert AccessRecord.objects.get().purpose == "case 1"


def test_it_refuses_to_delete_a_record_or_a_queryset() -> None:
    record = a_record(a_person())
    with pytest.raises(AppendOnlyError):
        record.delete()
    with pytest.raises(AppendOnlyError):
        AccessRecord.objects.filter(pk=record.pk).delete()
    with pytest.raises(AppendOnlyError):
        AccessRecord.objects.all().update(purpose="x")
    assert AccessRecord.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the append-only trigger exists on PostgreSQL only")
@pytest.mark.parametrize("sql", [
    "UPDATE audit_accessrecord SET purpose = 'x'",
    "DELETE FROM audit_accessrecord",
])
def test_it_refuses_raw_sql_tampering_on_postgresql(sql: str) -> None:
    a_record(a_person())
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(sql)
    assert AccessRecord.objects.filter(purpose="case 1").count() == 1


# --- Written by reads ----------------------------------------------------------------------------

def test_it_writes_one_row_per_distinct_person_in_bulk() -> None:
    one, two = a_person(1), a_person(2)
    access_record_bulk(person_ids=[one.pk, two.pk, one.pk], what="api household",
                       purpose="p", channel=Channel.API)
    assert sorted(AccessRecord.objects.values_list("person_id", flat=True)) == sorted(
        [one.pk, two.pk])


def test_it_records_the_admin_person_page_with_its_purpose(client: Client) -> None:
    person = a_person()
    user = User.objects.create(username="clerk7", is_staff=True, is_superuser=True)
    user.groups.add(Group.objects.create(name="district office"))
    client_login_verified(client, user)
    url = reverse("admin:registry_person_change", args=[person.pk])
    assert client.get(url).status_code == 200
    assert client.get(url, {"purpose": "complaint 42"}).status_code == 200
    assert client.get(reverse("admin:registry_person_change", args=[999999])).status_code in (
        302, 404)
    rows = list(AccessRecord.objects.order_by("id").values_list(
        "person_id", "actor__username", "actor_role", "what", "purpose", "channel"))
    assert rows == [
        (person.pk, "clerk7", "district office", "admin person page", "administration", "admin"),
        (person.pk, "clerk7", "district office", "admin person page", "complaint 42", "admin"),
    ]


def test_it_records_each_api_read_of_personal_data() -> None:
    a_person(1)
    household_with(("head", {"personal_id": fin_for(10)}), ("child", {"personal_id": fin_for(11)}),
                   reference="H-AUDIT-1")
    http = api_client("tax-service")
    assert http.get(f"/api/v1/persons/{fin_for(1)}").status_code == 200
    assert http.get("/api/v1/households/H-AUDIT-1").status_code == 200
    assert http.get(f"/api/v1/persons/{fin_for(1)}/benefits").status_code == 200
    assert http.get("/api/v1/persons/NOSUCH1").status_code == 404
    rows = list(AccessRecord.objects.order_by("id").values_list(
        "person__personal_id", "what", "purpose", "channel", "api_client__name"))
    assert sorted(rows[1:3]) == sorted([
        (fin_for(10), "api household", "case T-1", "api", "tax-service"),
        (fin_for(11), "api household", "case T-1", "api", "tax-service"),
    ])
    assert rows[0] == (fin_for(1), "api person", "case T-1", "api", "tax-service")
    assert rows[3] == (fin_for(1), "api benefits", "case T-1", "api", "tax-service")
    assert len(rows) == 4
    assert not AccessRecord.objects.filter(actor__isnull=False).exists()


def test_it_records_every_person_on_a_search_page() -> None:
    for n in range(3):
        PersonFactory(personal_id=fin_for(20 + n), last_name="Audited")
    response = api_client().get("/api/v1/persons", {"last_name": "Audited"})
    assert response.status_code == 200
    assert len(response.json()["items"]) == 3
    assert AccessRecord.objects.filter(what="api person search").count() == 3


# --- Citizens and auditors -----------------------------------------------------------------------

def test_it_shows_a_citizen_agencies_and_roles_never_staff_names() -> None:
    person, other = a_person(1), a_person(2)
    clerk = User.objects.create(username="clerk7")
    a_record(person, actor=clerk, actor_role="district office")
    access_record(person=person, what="api person", purpose="tax check", channel=Channel.API,
                  api_client=client_create(name="tax-service", sender="tax", scopes=[]),
                  actor_role="tax-service")
    a_record(other, actor=clerk, actor_role="other office")
    seen = accesses_for_person(person)
    assert [(a.by, a.what) for a in seen] == [
        ("tax-service", "api person"), ("district office", "person 360"),
    ]
    assert "clerk7" not in repr(seen)


def test_it_finds_records_by_personal_id_actor_and_dates() -> None:
    one, two = a_person(1), a_person(2)
    clerk = User.objects.create(username="clerk7")
    a_record(one, actor=clerk)
    a_record(two)
    assert list(access_records_search(personal_id=fin_for(1).lower())) == list(
        AccessRecord.objects.filter(person=one))
    assert access_records_search(actor_username="clerk7").get().person == one
    later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    assert access_records_search(since=later).count() == 0
    assert access_records_search(until=later).count() == 2


def test_it_lets_an_auditor_search_but_not_add_change_or_delete(client: Client) -> None:
    a_record(a_person(1))
    auditor = User.objects.create(username="auditor1", is_staff=True)
    auditor.groups.add(Group.objects.get(name="auditors"))
    client_login_verified(client, auditor)
    url = reverse("admin:audit_accessrecord_changelist")
    page = client.get(url, {"q": fin_for(1)})
    assert page.status_code == 200
    assert "person 360" in page.content.decode()
    request = RequestFactory().get(url)
    request.user = auditor
    model_admin = admin.site._registry[AccessRecord]
    assert isinstance(model_admin, AccessRecordAdmin)
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
