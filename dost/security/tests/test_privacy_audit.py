"""Audit completeness, citizens' own data only, privacy (extracts, export, retention), uploads,
CSRF on every form, and the change log's append-only guard."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import polars as pl
import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.utils import timezone

from dost.api.models import ApiCall
from dost.audit.models import AccessRecord, AppendOnlyError, ChangeRecord
from dost.audit.services import access_record, change_record
from dost.registry.models import Person
from dost.registry.tests.factories import fin_for, household_with
from dost.security.matrix import routes
from dost.security.models import CitizenLink, RetentionRule
from dost.security.privacy import extract_pseudonymised, pseudonym, retention_purge
from dost.security.roles import Role
from dost.security.selectors import citizen_household_ids, staff_scope
from dost.security.testing import client_login_verified, staff_user
from dost.security.uploads import validate_upload

pytestmark = pytest.mark.django_db


def two_households() -> tuple[Person, Person]:
    one = household_with(("head", {"personal_id": fin_for(1), "last_name": "Mammadov"}),
                         ("child", {"personal_id": fin_for(2)}), reference="H-ONE")
    two = household_with(("head", {"personal_id": fin_for(3)}), reference="H-TWO")
    first = Person.objects.get(personal_id=fin_for(1))
    third = Person.objects.get(personal_id=fin_for(3))
    assert one and two
    return first, third


def citizen_client(person: Person) -> Client:
    user = User.objects.create_user(f"citizen-{person.pk}")
    CitizenLink.objects.create(user=user, person=person)
    client = Client()
    client.force_login(user)
    return client


# --- Audit completeness --------------------------------------------------------------------------

def test_it_records_the_360_view_and_the_person_export() -> None:
    mine, _other = two_households()
    officer = staff_user(Role.CASE_OFFICER)
    client = client_login_verified(Client(), officer)
    url = f"/backoffice/people/{mine.pk}/"
    assert client.get(url).status_code == 200  # asks for the purpose first: nothing read yet
    assert not AccessRecord.objects.exists()
    assert client.get(url, {"purpose": "citizen enquiry"}).status_code == 200
    row = AccessRecord.objects.get(person=mine)
    assert (row.actor, row.purpose, row.channel) == (officer, "citizen enquiry", "backoffice")
    supervisor = staff_user(Role.SUPERVISOR)
    client = client_login_verified(Client(), supervisor)
    response = client.post("/privacy/person-export/",
                           {"personal_id": mine.personal_id, "purpose": "request 17"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    people = json.loads(archive.read("registry.person.json"))
    assert people[0]["fields"]["personal_id"] == mine.personal_id
    assert "registry.membership.json" in archive.namelist()
    row = AccessRecord.objects.get(what="person data export")
    assert (row.person, row.actor, row.purpose) == (mine, supervisor, "request 17")


def test_it_shows_the_auditor_reads_and_changes_and_refuses_others() -> None:
    mine, _other = two_households()
    clerk = staff_user(Role.CASE_OFFICER, username="clerk7")
    access_record(person=mine, what="person 360", purpose="case 1", channel="backoffice",
                  actor=clerk, actor_role="case officer")
    change_record(object_type="benefits.award", object_id=5, action="award changed",
                  before={"status": "active"}, after={"status": "stopped"}, person=mine)
    auditor = client_login_verified(Client(), staff_user(Role.AUDITOR))
    page = auditor.get("/audit/", {"personal_id": mine.personal_id}).content.decode()
    assert "person 360" in page and "clerk7" in page and "award changed" in page
    assert client_login_verified(Client(), clerk).get("/audit/").status_code == 403


def test_it_shows_a_citizen_who_read_their_data_by_role_never_by_name() -> None:
    mine, other = two_households()
    clerk = staff_user(Role.CASE_OFFICER, username="clerk7")
    access_record(person=mine, what="person 360", purpose="case 1", channel="backoffice",
                  actor=clerk, actor_role="case officer")
    access_record(person=other, what="other read", purpose="x", channel="backoffice",
                  actor=clerk, actor_role="district office")
    page = citizen_client(mine).get("/audit/me/").content.decode()
    assert "case officer" in page and "person 360" in page
    assert "clerk7" not in page and "other read" not in page


# --- A citizen sees only their household ---------------------------------------------------------

def test_it_refuses_a_citizen_another_households_data() -> None:
    mine, other = two_households()
    user = User.objects.create_user("c1")
    CitizenLink.objects.create(user=user, person=mine)
    assert citizen_household_ids(user) == {mine.memberships.get().household_id}
    assert other.memberships.get().household_id not in citizen_household_ids(user)
    client = Client()
    client.force_login(user)
    # Staff pages and the staff view of a person are closed to citizens.
    assert client.get(f"/backoffice/people/{other.pk}/").status_code == 403
    assert client.get("/audit/").status_code == 403
    assert staff_scope(user).q(centre="centre") is not None
    assert not staff_scope(user).everything


# --- Change log is append-only -------------------------------------------------------------------

def test_it_refuses_to_change_or_delete_a_change_record() -> None:
    row = change_record(object_type="x.y", object_id=1, action="a", before=None, after={})
    row.action = "b"
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        ChangeRecord.objects.all().update(action="c")
    with pytest.raises(AppendOnlyError):
        ChangeRecord.objects.all().delete()


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="the append-only triggers exist on PostgreSQL only")
@pytest.mark.parametrize("sql", [
    "UPDATE audit_changerecord SET action = 'x'", "DELETE FROM audit_changerecord",
    "UPDATE audit_accessrecord SET purpose = 'x'", "DELETE FROM audit_accessrecord",
])
def test_it_refuses_raw_sql_tampering_with_either_log(sql: str) -> None:
    mine, _other = two_households()
    change_record(object_type="x.y", object_id=1, action="a", before=None, after={})
    access_record(person=mine, what="w", purpose="p", channel="backoffice")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(sql)


# --- Privacy -------------------------------------------------------------------------------------

def test_it_extracts_without_names_or_ids_with_stable_keyed_pseudonyms() -> None:
    mine, _other = two_households()
    period = timezone.localdate().strftime("%Y-%m")
    first = extract_pseudonymised(period=period, extract_key="study-a")
    again = extract_pseudonymised(period=period, extract_key="study-a")
    other = extract_pseudonymised(period=period, extract_key="study-b")
    persons = first.persons
    assert "personal_id" not in persons.columns and "birth_date" not in persons.columns
    assert persons.schema["birth_year"] == pl.Int32
    assert persons.schema["person_id"] == pl.Utf8
    assert pseudonym("P", mine.pk, "study-a") in persons["person_id"].to_list()
    assert persons.equals(again.persons)
    assert set(persons["person_id"]).isdisjoint(set(other.persons["person_id"]))
    # The two frames of one extract join on the household pseudonym.
    assert set(persons["household_id"]) == set(first.households["household_id"])
    text = persons.write_csv() + first.households.write_csv()
    assert fin_for(1) not in text and "Mammadov" not in text


def test_it_purges_only_what_has_expired_and_never_the_audit_log() -> None:
    mine, _other = two_households()
    access_record(person=mine, what="w", purpose="p", channel="backoffice")
    old = ApiCall.objects.create(method="GET", path="/x", status=200)
    ApiCall.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=800))
    ApiCall.objects.create(method="GET", path="/y", status=200)
    RetentionRule.objects.filter(what="audit.accessrecord").update(months=0, purgeable=True)
    report = {line.what: line for line in retention_purge(dry_run=True)}
    assert report["api.apicall"].expired == 1 and report["api.apicall"].deleted == 0
    assert ApiCall.objects.count() == 2
    report = {line.what: line for line in retention_purge(dry_run=False)}
    assert report["api.apicall"].deleted == 1
    assert list(ApiCall.objects.values_list("path", flat=True)) == ["/y"]
    assert report["audit.accessrecord"].deleted == 0
    assert AccessRecord.objects.count() == 1


# --- Uploads -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("content", "kind"), [
    (b"%PDF-1.7\n...", "pdf"), (b"\xff\xd8\xff\xe0JFIF", "jpeg"),
    (b"\x89PNG\r\n\x1a\n....", "png"),
])
def test_it_accepts_pdf_jpeg_and_png_by_their_bytes(content: bytes, kind: str) -> None:
    assert validate_upload(SimpleUploadedFile("anything.bin", content)) == kind


@pytest.mark.parametrize(("upload", "code"), [
    (SimpleUploadedFile("cv.pdf", b"MZ\x90\x00 an executable"), "type"),
    (SimpleUploadedFile("page.pdf", b"<html><script>", content_type="application/pdf"), "type"),
    (SimpleUploadedFile("empty.pdf", b""), "empty"),
    (SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * 2048), "size"),
])
def test_it_refuses_other_types_empty_and_oversized_files(
    upload: SimpleUploadedFile, code: str, settings: object,
) -> None:
    settings.DOST_UPLOAD_MAX_BYTES = 1024  # type: ignore[attr-defined]
    with pytest.raises(ValidationError) as refused:
        validate_upload(upload)
    assert refused.value.code == code


# --- CSRF everywhere -----------------------------------------------------------------------------

def test_it_refuses_a_post_without_a_csrf_token_on_every_form() -> None:
    """Every view but the API (bearer keys, no cookies) and the SMS gateway (its own token)
    runs the CSRF check: a POST without the token is refused before the view."""
    from dost.security.tests.test_matrix import url_of

    exempt = {"centres:sms_inbound"}
    admin = staff_user(Role.ADMINISTRATOR)
    User.objects.filter(pk=admin.pk).update(is_superuser=True)
    client = client_login_verified(Client(enforce_csrf_checks=True), admin)
    wrong = []
    for route in routes():
        if route.kind in ("api", "api-public") or route.name in exempt:
            continue
        if route.kind == "admin" and not route.route.endswith(("add/", "change/", "delete/")):
            continue
        response = client.post(url_of(route))
        if not (response.status_code == 403 and b"CSRF" in response.content):
            wrong.append(f"/{route.route}: {response.status_code}")
    assert not wrong, "\n".join(wrong)
