"""The call log: one `ApiCall` row per request, written by `dost.api.urls` after the answer."""

from __future__ import annotations

from django.db import connection
from django.utils import timezone

from dost.api.models import ApiCall

_COLUMNS = ("client_id", "method", "path", "purpose", "status", "duration_ms", "at")


def _insert_sql() -> str:
    qn = connection.ops.quote_name
    # Quoted identifiers from the model only; every value is a parameter.
    return (
        f"INSERT INTO {qn(ApiCall._meta.db_table)} "  # noqa: S608
        f"({', '.join(qn(c) for c in _COLUMNS)}) VALUES ({', '.join(['%s'] * len(_COLUMNS))})"
    )


def call_log_insert(
    *, client_id: int | None, method: str, path: str, purpose: str, status: int,
    duration_ms: int,
) -> None:
    """Log one call. A bare INSERT: on every request, `ApiCall.objects.create` spent more CPU
    building the statement than the database spent storing the row (docs/performance.md)."""
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(), [
            client_id, method, path, purpose, status, duration_ms,
            connection.ops.adapt_datetimefield_value(timezone.now()),
        ])
