"""The call log: one `ApiCall` row per request, written by `dost.api.urls` after the answer.

Writes a view owes for the call (the audit records of a read of personal data) wait on the
request and go to the database with the call-log row: one statement on PostgreSQL (a
data-modifying `WITH`), one transaction elsewhere. Either way both land or neither does, in
one commit — the commit's flush to disk, not the CPU, was most of a look-up's time
(docs/performance.md, API) — and before the answer leaves: if the write fails, the client
gets a 500 problem instead of the data. The client's rate-limit counter (`dost.api.ratelimit`)
is one more of these writes.
"""

from __future__ import annotations

from functools import cache
from http import HTTPStatus
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from dost.api.models import ApiCall
from dost.api.ratelimit import count_sql, window_now

_COLUMNS = ("client_id", "method", "path", "purpose", "status", "duration_ms", "at")
_PENDING = "_dost_call_writes"

Statement = tuple[str, list[Any]]


@cache
def _insert_sql(vendor: str) -> str:
    # Built once per database vendor: quoting the names again on every call cost CPU.
    qn = connection.ops.quote_name
    # Quoted identifiers from the model only; every value is a parameter.
    return (
        f"INSERT INTO {qn(ApiCall._meta.db_table)} "  # noqa: S608
        f"({', '.join(qn(c) for c in _COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})"
    )


def call_writes_open(request: HttpRequest) -> None:
    """From now on `call_write` holds this request's writes for `call_log_insert`."""
    setattr(request, _PENDING, [])


def call_writes_pending(request: HttpRequest) -> list[Statement]:
    return list(getattr(request, _PENDING, None) or [])


def call_write(request: HttpRequest, statement: Statement | None) -> None:
    """Write `statement` with the call-log row of this request, or now if the request is not
    being logged (a view called outside `dost.api.urls`)."""
    if statement is None:
        return
    pending = getattr(request, _PENDING, None)
    if pending is not None:
        pending.append(statement)
        return
    with connection.cursor() as cursor:
        cursor.execute(*statement)


def call_log_insert(
    *,
    client_id: int | None,
    method: str,
    path: str,
    purpose: str,
    status: int,
    duration_ms: int,
    writes: list[Statement] | None = None,
) -> None:
    """Log one call, with the writes the view left for it and the client's rate-limit count.
    Bare SQL: on every request, `ApiCall.objects.create` spent more CPU building the statement
    than the database spent storing the row (docs/performance.md)."""
    params = [
        client_id,
        method,
        path,
        purpose,
        status,
        duration_ms,
        connection.ops.adapt_datetimefield_value(timezone.now()),
    ]
    writes = list(writes or [])
    if client_id is not None and status != HTTPStatus.TOO_MANY_REQUESTS:
        # The client's rate-limit counter moves with its call-log row: same statement, same
        # commit (`dost.api.ratelimit`). A refused call does not use up the budget.
        writes.append((count_sql(connection.vendor), [client_id, window_now()[0]]))
    if writes and connection.vendor == "postgresql":
        # Every sub-statement of a WITH runs once, to completion, whether or not it is read,
        # and the whole is one statement: one transaction, one commit.
        ctes = ", ".join(f"w{n} AS ({sql})" for n, (sql, _params) in enumerate(writes))
        with connection.cursor() as cursor:
            cursor.execute(
                f"WITH {ctes} {_insert_sql(connection.vendor)}",
                [value for _sql, values in writes for value in values] + params,
            )
        return
    if not writes:
        with connection.cursor() as cursor:
            cursor.execute(_insert_sql(connection.vendor), params)
        return
    # No savepoint inside an enclosing transaction: both writes share its fate anyway.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for statement in writes:
            cursor.execute(*statement)
        cursor.execute(_insert_sql(connection.vendor), params)
