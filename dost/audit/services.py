"""Writing the audit log. Only inserts: the model refuses anything else."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dost.api.models import ApiClient
from dost.audit.models import AccessRecord, ChangeRecord, Channel
from dost.registry.models import Person

PURPOSE_MAX = 200

STAFF_ROLE_DEFAULT = _("registry staff")


def staff_role(user: AbstractBaseUser | AnonymousUser) -> str:
    """What a citizen is shown for a staff read: the user's groups (their roles), never a name."""
    if not user.is_authenticated or not hasattr(user, "groups"):
        return str(STAFF_ROLE_DEFAULT)
    names = sorted(user.groups.values_list("name", flat=True))
    return ", ".join(names) if names else str(STAFF_ROLE_DEFAULT)


def _row(
    *, person_id: int, what: str, purpose: str, channel: Channel | str,
    actor: AbstractBaseUser | AnonymousUser | None, api_client: ApiClient | None,
    actor_role: str,
) -> AccessRecord:
    return AccessRecord(
        person_id=person_id, what=what[:80], purpose=purpose[:PURPOSE_MAX], channel=channel,
        # Any user model the project configures; the FK follows AUTH_USER_MODEL.
        actor=cast(Any, actor) if actor is not None and actor.is_authenticated else None,
        api_client=api_client, actor_role=actor_role[:120],
    )


def access_record(
    *, person: Person, what: str, purpose: str, channel: Channel | str,
    actor: AbstractBaseUser | AnonymousUser | None = None, api_client: ApiClient | None = None,
    actor_role: str = "",
) -> AccessRecord:
    record = _row(person_id=person.pk, what=what, purpose=purpose, channel=channel, actor=actor,
                  api_client=api_client, actor_role=actor_role)
    record.save()
    return record


def access_record_bulk(
    *, person_ids: Iterable[int], what: str, purpose: str, channel: Channel | str,
    actor: AbstractBaseUser | AnonymousUser | None = None, api_client: ApiClient | None = None,
    actor_role: str = "",
) -> list[AccessRecord]:
    """One row per distinct person, for reads that return a list (a household, a search page)."""
    rows = [
        _row(person_id=pk, what=what, purpose=purpose, channel=channel, actor=actor,
             api_client=api_client, actor_role=actor_role)
        for pk in dict.fromkeys(person_ids)
    ]
    return AccessRecord.objects.bulk_create(rows)


@cache
def _access_records_insert(vendor: str) -> str:
    # Built once per database vendor: it runs on every API read.
    record, person = AccessRecord._meta, Person._meta
    qn = connection.ops.quote_name
    columns = ["at", "actor_id", "api_client_id", "actor_role", "person_id", "what", "purpose",
               "channel"]
    # Only quoted identifiers and placeholders are formatted in; every value is a parameter.
    return (
        f"INSERT INTO {qn(record.db_table)} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608
        f"SELECT %s, NULL, %s, %s, {qn('id')}, %s, %s, %s FROM {qn(person.db_table)} "
        f"WHERE {qn('personal_id')} IN"
    )


def access_records_statement(
    *, personal_ids: Iterable[str], what: str, purpose: str, channel: Channel | str,
    api_client: ApiClient | None = None, actor_role: str = "",
) -> tuple[str, list[Any]] | None:
    """The INSERT … SELECT that writes one access record per distinct personal ID found (through
    the personal-ID index), with its parameters; None for no IDs. The API runs it in the same
    statement as its call-log row (`dost.api.calls`), so a read costs one commit, not two."""
    ids = list(dict.fromkeys(personal_ids))
    if not ids:
        return None
    sql = f"{_access_records_insert(connection.vendor)} ({', '.join(['%s'] * len(ids))})"
    params = [
        connection.ops.adapt_datetimefield_value(timezone.now()),
        api_client.pk if api_client else None, actor_role[:120], what[:80],
        purpose[:PURPOSE_MAX], str(channel), *ids,
    ]
    return sql, params


def access_record_by_personal_ids(
    *, personal_ids: Iterable[str], what: str, purpose: str, channel: Channel | str,
    api_client: ApiClient | None = None, actor_role: str = "",
) -> int:
    """For the API, whose answers carry personal IDs rather than keys. One INSERT … SELECT
    through the personal-ID index, so auditing a read costs one query, not a lookup and a
    write. Returns the number of rows written."""
    statement = access_records_statement(
        personal_ids=personal_ids, what=what, purpose=purpose, channel=channel,
        api_client=api_client, actor_role=actor_role,
    )
    if statement is None:
        return 0
    with connection.cursor() as cursor:
        cursor.execute(*statement)
        return int(cursor.rowcount)


def state_of(
    instance: models.Model | None, fields: Iterable[str] | None = None,
) -> dict[str, Any] | None:
    """A model instance as JSON-safe data (dates, decimals as text) for before/after."""
    if instance is None:
        return None
    data = model_to_dict(instance, fields=list(fields) if fields is not None else None)
    data["id"] = instance.pk
    return cast(dict[str, Any], json.loads(json.dumps(data, cls=DjangoJSONEncoder, default=str)))


def change_record(
    *, object_type: str, object_id: object, action: str,
    before: dict[str, Any] | None, after: dict[str, Any] | None,
    actor: AbstractBaseUser | AnonymousUser | None = None, person: Person | None = None,
    person_id: int | None = None, reason: str = "",
) -> ChangeRecord:
    """Log one change: `object_type` is "app_label.model", before/after from `state_of`.
    `actor` None means the system (a rules run, a task, a command)."""
    known = actor if actor is not None and actor.is_authenticated else None
    record = ChangeRecord(
        object_type=object_type[:80], object_id=str(object_id)[:64], action=action[:40],
        before=before, after=after, reason=reason[:300],
        actor=cast(Any, known), actor_role=staff_role(known)[:120] if known else "",
        person_id=person.pk if person is not None else person_id,
    )
    record.save()
    return record
