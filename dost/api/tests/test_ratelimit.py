"""The per-minute rate limit: counted in the database with the call log, shared by processes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import time_machine
from django.db import connection, connections
from django.db.models import Sum

from dost.api.models import ApiCall, ApiClient, ApiRateCount
from dost.api.ratelimit import window_now
from dost.registry.tests.factories import PersonFactory

PERSON = "/api/v1/persons/5ZJ8K2L"
# Half a minute into a minute: Retry-After must say 30.
HALF_PAST = dt.datetime(2026, 11, 25, 9, 0, 30, tzinfo=dt.UTC)


def _counted(name: str) -> int:
    client = ApiClient.objects.get(name=name)
    rows = ApiRateCount.objects.filter(client=client, minute=window_now()[0])
    return int(rows.aggregate(n=Sum("used"))["n"] or 0)


@pytest.fixture
def person(db: None) -> None:
    PersonFactory(personal_id="5ZJ8K2L")


def test_past_the_limit_the_answer_is_429_with_retry_after(make_caller, person):
    slow = make_caller("slow", scopes=["persons:read"], rate_limit_per_minute=3)
    with time_machine.travel(HALF_PAST, tick=False):
        statuses = [slow.get(PERSON).status_code for _ in range(3)]
        refused = slow.get(PERSON)
        assert _counted("slow") == 3  # the refused call is logged, not counted
    assert statuses == [200, 200, 200]
    assert refused.status_code == 429
    assert refused["Content-Type"] == "application/problem+json"
    assert refused["Retry-After"] == "30"
    body = refused.json()
    assert body["type"] == "urn:dost:problem:rate_limited"
    assert "3" in body["detail"]
    # A problem, no data of the person.
    assert set(body) == {"type", "title", "status", "detail", "instance", "retry_after"}
    logged = list(ApiCall.objects.filter(client__name="slow").values_list("status", flat=True))
    assert sorted(logged) == [200, 200, 200, 429]


def test_another_client_is_not_affected(make_caller, person):
    slow = make_caller("slow", scopes=["persons:read"], rate_limit_per_minute=1)
    other = make_caller("other", scopes=["persons:read"], rate_limit_per_minute=1)
    with time_machine.travel(HALF_PAST, tick=False):
        assert [slow.get(PERSON).status_code for _ in range(2)] == [200, 429]
        assert other.get(PERSON).status_code == 200
        assert other.get(PERSON).status_code == 429


def test_the_next_minute_allows_calls_again(make_caller, person):
    slow = make_caller("slow", scopes=["persons:read"], rate_limit_per_minute=2)
    with time_machine.travel(HALF_PAST, tick=False):
        assert [slow.get(PERSON).status_code for _ in range(3)] == [200, 200, 429]
    with time_machine.travel(HALF_PAST + dt.timedelta(seconds=29), tick=False):
        assert slow.get(PERSON).status_code == 429
        assert slow.get(PERSON)["Retry-After"] == "1"
    with time_machine.travel(HALF_PAST + dt.timedelta(seconds=30), tick=False):
        assert [slow.get(PERSON).status_code for _ in range(3)] == [200, 200, 429]


def test_counts_of_other_connections_add_up_and_old_minutes_do_not(make_caller, person):
    # What other web processes counted: rows of other slots, this minute and the last.
    slow = make_caller("slow", scopes=["persons:read"], rate_limit_per_minute=5)
    client = ApiClient.objects.get(name="slow")
    with time_machine.travel(HALF_PAST, tick=False):
        minute = window_now()[0]
        ApiRateCount.objects.create(client=client, slot=1001, minute=minute - 1, used=500)
        ApiRateCount.objects.create(client=client, slot=1002, minute=minute, used=2)
        ApiRateCount.objects.create(client=client, slot=1003, minute=minute, used=1)
        assert [slow.get(PERSON).status_code for _ in range(3)] == [200, 200, 429]
        assert _counted("slow") == 5


def test_a_slot_counter_of_an_earlier_minute_starts_again_from_one(make_caller, person):
    slow = make_caller("slow", scopes=["persons:read"], rate_limit_per_minute=5)
    with time_machine.travel(HALF_PAST, tick=False):
        assert [slow.get(PERSON).status_code for _ in range(2)] == [200, 200]
    with time_machine.travel(HALF_PAST + dt.timedelta(minutes=1), tick=False):
        assert slow.get(PERSON).status_code == 200
        assert _counted("slow") == 1
        # The connection's row was reused for the new minute, not added.
        assert ApiRateCount.objects.filter(client__name="slow").count() == 1


def test_unauthenticated_calls_count_for_nobody(make_caller, person):
    slow = make_caller("slow", scopes=["persons:read"], rate_limit_per_minute=1)
    assert slow.http.get(PERSON, headers={"Authorization": "Bearer dost_x_y"}).status_code == 401
    assert not ApiRateCount.objects.exists()
    assert slow.get(PERSON).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_are_each_counted_and_overshoot_at_most_the_concurrency(
    make_caller: Callable[..., Any],
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("concurrent connections: PostgreSQL")
    PersonFactory(personal_id="5ZJ8K2L")
    limit, threads, calls = 10, 6, 40
    slow = make_caller("slow", scopes=["persons:read"], rate_limit_per_minute=limit)

    def call(_: int) -> int:
        try:
            return int(slow.get(PERSON).status_code)
        finally:
            connections.close_all()

    with time_machine.travel(HALF_PAST, tick=True), ThreadPoolExecutor(threads) as pool:
        statuses = list(pool.map(call, range(calls)))
        counted = _counted("slow")
    answered = statuses.count(200)
    assert set(statuses) <= {200, 429}
    assert counted == answered  # every answer counted once, across connections
    assert limit <= answered <= limit + threads - 1
