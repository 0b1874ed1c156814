"""Privacy: pseudonymised extracts for analysts, retention as data, a person's data on request.

- `extract_pseudonymised(period, extract_key)`: the period snapshot with names and IDs removed,
  person and household keys replaced by keyed HMAC-SHA256 pseudonyms (stable for one extract
  key, unlinkable across keys without DOST_PSEUDONYM_KEY), birth and death dates cut to the year.
- `retention_purge(dry_run=...)`: deletes what the retention rules say has expired, for the
  models listed in PURGEABLE only; the audit log is never purged by the application.
- `person_data_export(person, actor, purpose)`: everything held about one person, as a zip of
  JSON files, with an audit row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.db import models, transaction
from django.utils import timezone

from dost.audit.models import Channel
from dost.audit.services import access_record, staff_role
from dost.registry.models import Person
from dost.registry.snapshot import period_snapshot
from dost.security.models import RetentionRule

# Columns that identify a person or a household directly: never in an extract.
IDENTIFYING = frozenset({
    "personal_id", "first_name", "last_name", "patronymic", "full_name", "name", "phone",
    "email", "address", "reference", "account", "iban", "bank_account",
})
KEYS = {"person_id": "P", "household_id": "H", "head_id": "P", "mother_id": "P",
        "father_id": "P"}
COARSENED_DATES = ("birth_date", "death_date")


def pseudonym(kind: str, key: int, extract_key: str) -> str:
    """Keyed and salted per extract: the same person has the same pseudonym in both frames of
    one extract (so they join), and another in an extract made under another key."""
    secret = f"{settings.DOST_PSEUDONYM_KEY}|{extract_key}".encode()
    digest = hmac.new(secret, f"{kind}:{key}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}-{digest[:24]}"


def pseudonymise(frame: pl.DataFrame, extract_key: str) -> pl.DataFrame:
    frame = frame.drop([c for c in frame.columns if c in IDENTIFYING])
    for column, kind in KEYS.items():
        if column in frame.columns:
            names = [None if v is None else pseudonym(kind, int(v), extract_key)
                     for v in frame.get_column(column).to_list()]
            frame = frame.with_columns(pl.Series(column, names, dtype=pl.Utf8))
    for column in COARSENED_DATES:
        if column in frame.columns:
            frame = frame.with_columns(
                pl.col(column).dt.year().alias(column.replace("_date", "_year"))
            ).drop(column)
    return frame


@dataclass(frozen=True)
class Extract:
    persons: pl.DataFrame
    households: pl.DataFrame


def extract_pseudonymised(*, period: str, extract_key: str) -> Extract:
    snapshot = period_snapshot(period)
    return Extract(persons=pseudonymise(snapshot.persons, extract_key),
                   households=pseudonymise(snapshot.households, extract_key))


def extract_bytes(extract: Extract, *, fmt: str) -> bytes:
    """A zip of persons and households as CSV or Parquet."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, frame in (("persons", extract.persons), ("households", extract.households)):
            out = io.BytesIO()
            if fmt == "parquet":
                frame.write_parquet(out)
            else:
                frame.write_csv(out)
            archive.writestr(f"{name}.{fmt}", out.getvalue())
    return buffer.getvalue()


# --- Retention -----------------------------------------------------------------------------

# What the purge may delete, and by which timestamp. Anything else is informative only.
PURGEABLE: dict[str, str] = {
    "api.apicall": "at",
    "sessions.session": "expire_date",
    "axes.accessattempt": "attempt_time",
    "registry.rejectedevent": "received_at",
}
# Never deleted by the application, whatever a rule says.
NEVER_PURGED = frozenset({"audit.accessrecord", "audit.changerecord"})


@dataclass(frozen=True)
class PurgeLine:
    what: str
    months: int
    cutoff: dt.datetime
    expired: int
    deleted: int
    note: str


def _months_before(now: dt.datetime, months: int) -> dt.datetime:
    year, month = divmod(now.year * 12 + now.month - 1 - months, 12)
    day = min(now.day, 28)
    return now.replace(year=year, month=month + 1, day=day)


@transaction.atomic
def retention_purge(*, dry_run: bool = True, now: dt.datetime | None = None) -> list[PurgeLine]:
    now = now or timezone.now()
    lines = []
    for rule in RetentionRule.objects.all():
        cutoff = _months_before(now, rule.months)
        field = PURGEABLE.get(rule.what)
        if rule.what in NEVER_PURGED or not rule.purgeable or field is None:
            lines.append(PurgeLine(rule.what, rule.months, cutoff, 0, 0,
                                   "kept: archived outside the application"))
            continue
        model = apps.get_model(rule.what)
        expired = model._default_manager.filter(**{f"{field}__lt": cutoff})
        count = expired.count()
        deleted = 0 if dry_run or not count else expired.delete()[0]
        lines.append(PurgeLine(rule.what, rule.months, cutoff, count, deleted,
                               "dry run" if dry_run else "deleted"))
    return lines


# --- A person's data on request ------------------------------------------------------------

def _related_rows(person: Person) -> dict[str, list[models.Model]]:
    """Every row that points at the person, by model (one level: facts, memberships, cases,
    awards, audit rows), and the households they belong to."""
    found: dict[str, list[models.Model]] = {"registry.person": [person]}
    for relation in Person._meta.related_objects:
        if relation.many_to_many or relation.field.model is None:
            continue
        model = relation.related_model
        label = model._meta.label_lower
        rows = list(model._default_manager.filter(**{relation.field.name: person}))
        if rows:
            found.setdefault(label, []).extend(rows)
    from dost.registry.models import Household

    households = Household.objects.filter(memberships__person=person).distinct()
    found["registry.household"] = list(households)
    return found


def person_data_export(*, person: Person, actor: Any, purpose: str) -> bytes:
    """A zip with one JSON file per kind of record; the read is logged."""
    buffer = io.BytesIO()
    rows = _related_rows(person)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.json", json.dumps({
            "person": person.personal_id, "exported_at": timezone.now().isoformat(),
            "files": sorted(f"{label}.json" for label in rows),
        }, indent=2))
        for label, objects in sorted(rows.items()):
            archive.writestr(f"{label}.json", serializers.serialize("json", objects, indent=2))
    access_record(person=person, what="person data export", purpose=purpose,
                  channel=Channel.BACKOFFICE, actor=actor, actor_role=staff_role(actor))
    return buffer.getvalue()
