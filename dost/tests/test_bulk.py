"""`dost.bulk` writes what Django's bulk_create / bulk_update write (COPY on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.forms.models import model_to_dict

from dost import bulk
from dost.registry.models import EventType, LifeEvent, RegistryChange, Source

pytestmark = pytest.mark.django_db

ROWS = 3 * bulk.SMALL  # enough for the COPY path on PostgreSQL


def _events(sender: str, n: int = ROWS) -> list[LifeEvent]:
    return [
        LifeEvent(sender=sender, sender_event_id=f"e-{i}", type=EventType.BIRTH,
                  occurred_on=dt.date(2026, 11, 1) + dt.timedelta(days=i % 20),
                  payload={"n": i, "name": f"Gülnarə {i}", "nested": {"list": [i, None]}})
        for i in range(n)
    ]


def _stored(rows: list[LifeEvent]) -> list[dict[str, Any]]:
    fields = ["sender_event_id", "type", "occurred_on", "payload", "person"]
    return [model_to_dict(LifeEvent.objects.get(pk=row.pk), fields=fields) for row in rows]


def test_it_inserts_the_same_rows_as_bulk_create_with_keys_in_the_given_order() -> None:
    ours = bulk.insert_rows(_events("ours"))
    django = LifeEvent.objects.bulk_create(_events("django"))
    assert all(row.pk is not None and not row._state.adding for row in ours)
    assert [row.pk for row in ours] == sorted(row.pk for row in ours)
    assert _stored(ours) == _stored(django)
    # auto_now_add was stamped, as save() and bulk_create do.
    assert all(LifeEvent.objects.get(pk=row.pk).received_at is not None for row in ours)
    # Choices members are stored as their values.
    assert set(LifeEvent.objects.filter(sender="ours").values_list("type", flat=True)) == {
        "birth"
    }


def test_it_links_a_related_row_saved_after_it_was_assigned() -> None:
    events = _events("linked", 1)
    changes = [RegistryChange(source=Source.EVENT, life_event=events[0], model="registry.Person",
                              object_id=i, before=None, after={"i": i}) for i in range(ROWS)]
    bulk.insert_rows(events)  # fewer than SMALL: the ORM path; the changes hold it unsaved
    assert changes[0].life_event_id is None
    bulk.insert_rows(changes)
    stored = RegistryChange.objects.filter(pk__in=[c.pk for c in changes]).order_by("id")
    assert [c.life_event_id for c in stored] == [events[0].pk] * ROWS
    assert [c.after for c in stored] == [{"i": i} for i in range(ROWS)]
    assert all(c.before is None for c in stored)


def test_a_duplicate_key_raises_djangos_integrity_error_and_writes_nothing() -> None:
    bulk.insert_rows(_events("dup", 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk.insert_rows(_events("dup"))  # e-0 again, among new ones
    assert LifeEvent.objects.filter(sender="dup").count() == 1


def test_it_updates_the_same_fields_as_bulk_update() -> None:
    ours, theirs = bulk.insert_rows(_events("u-ours")), bulk.insert_rows(_events("u-django"))
    for rows in (ours, theirs):
        for i, row in enumerate(rows):
            row.payload = {"changed": i}
            row.occurred_on = dt.date(2025, 1, 1)
            row.sender_event_id = f"never-written-{i}"  # not in the fields: must stay
    assert bulk.update_rows(ours, ["payload", "occurred_on"]) == ROWS
    LifeEvent.objects.bulk_update(theirs, ["payload", "occurred_on"])
    fields = ["sender_event_id", "occurred_on", "payload"]
    mine = [model_to_dict(LifeEvent.objects.get(pk=r.pk), fields=fields) for r in ours]
    django = [model_to_dict(LifeEvent.objects.get(pk=r.pk), fields=fields) for r in theirs]
    assert [m["payload"] for m in mine] == [d["payload"] for d in django]
    assert [m["sender_event_id"] for m in mine] == [f"e-{i}" for i in range(ROWS)]
    assert {m["occurred_on"] for m in mine} == {dt.date(2025, 1, 1)}


def test_the_copy_path_is_the_one_taken_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; elsewhere Django's methods run")
    with connection.execute_wrapper(_record):
        _seen.clear()
        bulk.insert_rows(_events("path"))
    assert any(sql.startswith("SELECT nextval") for sql in _seen)
    assert not any(sql.startswith("INSERT") for sql in _seen)


_seen: list[str] = []


def _record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
    _seen.append(sql.lstrip())
    return execute(sql, params, many, context)
