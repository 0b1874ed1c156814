"""Each client's requests per minute: counted in the database, shared by every web process.

The window is the calendar minute (UTC, by the web hosts' clocks: keep them on NTP). A call
that is answered (any status but 429) adds one to a counter row of its client, **in the
statement that writes its call-log row** (`dost.api.calls.call_log_insert`): no extra round
trip, no extra commit. The key check reads the sum of the client's counters for the current
minute in its own statement (`dost.api.keys.key_check`), so the limit costs one indexed read
and one upsert per call.

Why counters and not a count of the call log: a client calling 700 times a second has ~42,000
rows in a minute of the log, and counting them took 33 ms per call (docs/performance.md, API).
Why a counter row per database connection (`slot`) and not one per client: the upsert's row
lock is held until the commit, so one row would make a client's calls wait for each other's
commit (~5 ms each under load); a connection runs one statement at a time, so its own row is
never contended. Two live connections whose slots coincide (backend pid modulo `SLOTS`) only
share a row — still counted exactly — and the rows per client stay bounded.

Calls still in flight are not counted yet: a client sending N calls at once may get up to N - 1
answers past its limit, N being at most the server's request threads (docs/api.md).
"""

from __future__ import annotations

import time
from functools import cache

from django.db import connection

from dost.api.models import ApiRateCount

# Counter rows per client at most; enough that live connections rarely share one.
SLOTS = 1024
WINDOW_SECONDS = 60


def window_now() -> tuple[int, int]:
    """The current window (minutes since the epoch) and the seconds until the next one."""
    now = time.time()
    return int(now // WINDOW_SECONDS), WINDOW_SECONDS - int(now) % WINDOW_SECONDS


@cache
def used_sql(vendor: str, client_column: str) -> str:
    """A scalar subquery: the calls counted for `client_column` in the window (a parameter)."""
    qn = connection.ops.quote_name
    table = qn(ApiRateCount._meta.db_table)
    # Quoted identifiers from the model only; the window is a parameter.
    return (
        f"(SELECT COALESCE(SUM(r.{qn('used')}), 0) FROM {table} r "  # noqa: S608
        f"WHERE r.{qn('client_id')} = {client_column} AND r.{qn('minute')} = %s)"
    )


@cache
def count_sql(vendor: str) -> str:
    """Add one call of a client (parameters: client id, window) to this connection's slot."""
    qn = connection.ops.quote_name
    table = qn(ApiRateCount._meta.db_table)
    # SQLite has one writer at a time, so one slot; PostgreSQL: the backend serving this
    # connection, which runs one statement at a time.
    slot = f"pg_backend_pid() %% {SLOTS}" if vendor == "postgresql" else "0"
    used, minute = qn("used"), qn("minute")
    return (
        f"INSERT INTO {table} ({qn('client_id')}, {qn('slot')}, {minute}, {used}) "  # noqa: S608
        f"VALUES (%s, {slot}, %s, 1) ON CONFLICT ({qn('client_id')}, {qn('slot')}) DO UPDATE "
        f"SET {used} = CASE WHEN {table}.{minute} = excluded.{minute} "
        f"THEN {table}.{used} + 1 ELSE 1 END, {minute} = excluded.{minute}"
    )
