from __future__ import annotations

import datetime as dt
from typing import cast

import pytest
from django.db import connection

from dost.api.models import ApiCall
from dost.audit.models import AccessRecord
from dost.registry.models import (
    DisabilityDetermination,
    LifeEvent,
    Person,
    RejectedEvent,
    Source,
)
from dost.registry.tests.factories import DistrictFactory, PersonFactory, fin_for, household_with

pytestmark = pytest.mark.django_db


def test_it_answers_a_person_with_only_the_sections_the_scopes_allow(make_caller):
    person = cast(Person, PersonFactory(personal_id="5ZJ8K2L", phone="+994501234567"))
    DisabilityDetermination.objects.create(
        person=person, impairment_percent=60, group=2, valid_from=dt.date(2020, 1, 1),
        source=Source.SYSTEM,
    )
    full = make_caller("ministry")
    bank = make_caller("bank", scopes=["persons:read"])

    body = full.get("/api/v1/persons/5zj8k2l").json()
    assert body["personal_id"] == "5ZJ8K2L"
    assert body["contact"]["phone"] == "+994501234567"
    assert body["disabilities"][0]["impairment_percent"] == 60

    body = bank.get("/api/v1/persons/5ZJ8K2L").json()
    assert body["personal_id"] == "5ZJ8K2L"
    assert "disabilities" not in body and "contact" not in body
    assert body["death_date"] is None


def test_it_logs_every_call_with_client_and_purpose(caller):
    PersonFactory(personal_id="5ZJ8K2L")
    caller.get("/api/v1/persons/5ZJ8K2L", headers={"X-Purpose": "TSSA case C-00000042"})
    call = ApiCall.objects.get()
    assert call.client is not None and call.client.name == "ministry"
    assert call.purpose == "TSSA case C-00000042"
    assert call.status == 200 and call.path == "/api/v1/persons/5ZJ8K2L"


def test_it_refuses_a_personal_data_read_without_a_purpose(caller):
    PersonFactory(personal_id="5ZJ8K2L")
    response = caller.http.get(
        "/api/v1/persons/5ZJ8K2L", headers={"Authorization": f"Bearer {caller.key}"}
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["location"] == "header.X-Purpose"


def test_it_answers_problems_for_missing_keys_scopes_and_persons(make_caller):
    bank = make_caller("bank", scopes=["persons:read"])
    response = bank.http.get("/api/v1/persons/5ZJ8K2L", headers={"X-Purpose": "check"})
    assert response.status_code == 401
    assert response.json()["title"] == "Unauthorized"
    response = bank.get("/api/v1/households/H-1")
    assert response.status_code == 403
    assert response.json()["type"] == "urn:dost:problem:scope"
    response = bank.get("/api/v1/persons/5ZJ8K2L")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    response = bank.get("/api/v1/nothing/here")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_it_answers_a_household_with_its_current_members(caller):
    household_with(("head", {"personal_id": fin_for(10)}), ("child", {"personal_id": fin_for(11)}),
                   reference="H-TEST-1")
    body = caller.get("/api/v1/households/H-TEST-1").json()
    assert body["reference"] == "H-TEST-1"
    assert [(m["role"], m["person"]["personal_id"]) for m in body["members"]] == [
        ("head", fin_for(10)), ("child", fin_for(11)),
    ]
    assert body["members"][0]["person"]["household"] == "H-TEST-1"


def test_it_pages_a_search_with_a_cursor_until_the_end(caller):
    district = DistrictFactory()
    for n in range(5):
        PersonFactory(personal_id=fin_for(100 + n), sex="F", district=district)
    PersonFactory(personal_id=fin_for(200), sex="M", district=district)
    seen: list[str] = []
    params: dict[str, object] = {"sex": "F", "district": "AZ-BA-01", "limit": 2}
    for _ in range(5):
        page = caller.get("/api/v1/persons", **params).json()
        seen += [p["personal_id"] for p in page["items"]]
        if page.get("next_cursor") is None:
            break
        params["cursor"] = page["next_cursor"]
    assert seen == [fin_for(100 + n) for n in range(5)]


def test_it_rejects_unknown_search_parameters_and_forged_cursors(caller):
    response = caller.get("/api/v1/persons", sexx="F")
    assert response.status_code == 422
    response = caller.get("/api/v1/persons", cursor="bm90LWEtY3Vyc29y")
    assert response.status_code == 422
    assert response.json()["type"] == "urn:dost:problem:bad_cursor"


def test_it_ingests_a_batch_answering_each_event(caller):
    PersonFactory(personal_id="5ZJ8K2L")
    batch = {"events": [
        {"sender_event_id": "e1", "type": "imprisonment", "occurred_on": "2026-01-10",
         "payload": {"personal_id": "5ZJ8K2L"}},
        {"sender_event_id": "e1", "type": "imprisonment", "occurred_on": "2026-01-10",
         "payload": {"personal_id": "5ZJ8K2L"}},
        {"sender_event_id": "e2", "type": "release", "occurred_on": "2026-01-11",
         "payload": {"personal_id": "5ZJ8K2L", "extra": 1}},
    ]}
    body = caller.post("/api/v1/events", batch).json()
    assert (body["applied"], body["duplicate"], body["rejected"]) == (1, 1, 1)
    assert [r["status"] for r in body["results"]] == ["applied", "duplicate", "rejected"]
    assert "extra" in body["results"][2]["reason"]
    event = LifeEvent.objects.get()
    assert (event.sender, event.sender_event_id) == ("ministry", "e1")
    assert body["results"][0]["event_id"] == event.pk
    assert RejectedEvent.objects.get().sender_event_id == "e2"


def test_it_ingests_a_single_event_and_rejects_unknown_envelope_fields(caller):
    PersonFactory(personal_id="5ZJ8K2L")
    single = {"sender_event_id": "d1", "type": "death", "occurred_on": "2026-01-10",
              "payload": {"personal_id": "5ZJ8K2L"}}
    assert caller.post("/api/v1/events", single).json()["applied"] == 1
    response = caller.post("/api/v1/events", {**single, "sender_event_id": "d2", "colour": "red"})
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert LifeEvent.objects.count() == 1


def test_it_refuses_a_batch_of_more_than_a_thousand(caller):
    event = {"sender_event_id": "x", "type": "death", "occurred_on": "2026-01-10",
             "payload": {"personal_id": "5ZJ8K2L"}}
    response = caller.post("/api/v1/events", {"events": [event] * 1001})
    assert response.status_code == 422


def test_it_answers_malformed_json_with_a_problem(caller):
    response = caller.http.post(
        "/api/v1/events", "{not json", content_type="application/json",
        headers={"Authorization": f"Bearer {caller.key}"},
    )
    assert 400 <= response.status_code < 500
    assert response["Content-Type"] == "application/problem+json"


def test_it_limits_a_client_to_its_requests_per_minute(make_caller):
    slow = make_caller("slow", scopes=["persons:read"], rate_limit_per_minute=2)
    PersonFactory(personal_id="5ZJ8K2L")
    statuses = [slow.get("/api/v1/persons/5ZJ8K2L").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_it_refuses_text_the_database_cannot_store(caller):
    event = {"sender_event_id": "n1", "type": "death\x00", "occurred_on": "2026-01-10",
             "payload": {"personal_id": "5ZJ8K2L", "note": "\ud800"}}
    response = caller.post("/api/v1/events", event)
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    response = caller.get("/api/v1/persons", last_name="A\x00B")
    assert response.status_code == 400
    assert response.json()["type"] == "urn:dost:problem:text"
    assert RejectedEvent.objects.count() == 0


def test_it_names_the_unknown_field_in_the_problem(caller):
    response = caller.post("/api/v1/events", {
        "sender_event_id": "d2", "type": "death", "occurred_on": "2026-01-10",
        "payload": {}, "colour": "red",
    })
    locations = [error["location"] for error in response.json()["errors"]]
    assert any(location.endswith("colour") for location in locations), locations


def test_it_answers_a_wrong_method_with_a_problem_naming_the_allowed_ones(caller):
    response = caller.http.delete("/api/v1/persons/5ZJ8K2L",
                                  headers={"Authorization": f"Bearer {caller.key}"})
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"
    assert response["Allow"] == "GET"
    assert ApiCall.objects.get().status == 405


def test_it_reads_a_person_in_unordered_queries_with_one_write(
    make_caller, django_assert_num_queries
):
    PersonFactory(personal_id="5ZJ8K2L")
    bank = make_caller("bank", scopes=["persons:read"])
    # Key with client and scopes, person with district and household: nothing sorted, as each
    # finds at most one row by a unique key. Then the audit row, the rate-limit count and the
    # call-log row together: one statement on PostgreSQL, three in one transaction elsewhere.
    writes = 1 if connection.vendor == "postgresql" else 3
    with django_assert_num_queries(2 + writes) as queries:
        assert bank.get("/api/v1/persons/5ZJ8K2L").status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if "ORDER BY" in q["sql"]]
    last = queries.captured_queries[-1]["sql"]
    assert "api_apicall" in last
    assert ("audit_accessrecord" in last) == (connection.vendor == "postgresql")
    assert ("api_apiratecount" in last) == (connection.vendor == "postgresql")
    assert AccessRecord.objects.get().purpose == "case C-00000001"
    assert ApiCall.objects.get().status == 200
