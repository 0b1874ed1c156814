"""The period snapshot: the registry, for one month, as two Polars DataFrames.

This is the only door between the registry and the rules engine; docs/snapshot.md documents
every column. All aggregation is set-based SQL (`queries`), identical on SQLite and PostgreSQL;
on PostgreSQL the rows leave the server with ``COPY (SELECT …) TO STDOUT`` as CSV, parsed by
Polars, so a million persons never become Python objects. Polars then only left-joins the
per-person (per-household) aggregates onto the base rows and casts them to the contract.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connections, transaction
from django.utils.translation import gettext_lazy as _

from dost.registry.snapshot.queries import (
    MEMBERS_TABLE,
    Part,
    household_parts,
    members_create,
    person_parts,
    query_params,
)

INVALID_PERIOD = _("The period must be a month written YYYY-MM (for example 2026-03).")

_PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


class SnapshotPeriodError(ValueError):
    """The period string is not a month ``YYYY-MM``."""


@dataclass(frozen=True)
class Snapshot:
    """The registry for one month, as the rules engine reads it."""

    period: str
    persons: pl.DataFrame
    households: pl.DataFrame


# --- The contract (docs/snapshot.md) -------------------------------------------------------------

# Code lists (role, sex, citizenship, statuses, region, district) are Categorical: a few
# distinct values over millions of rows, so the Parquet files store them dictionary-encoded
# and the rules engine compares codes as small integers.

PERSON_SCHEMA: dict[str, pl.DataType] = {
    "person_id": pl.Int64(),
    "household_id": pl.Int64(),
    "role": pl.Categorical(),
    "personal_id": pl.String(),
    "sex": pl.Categorical(),
    "birth_date": pl.Date(),
    "death_date": pl.Date(),
    "citizenship": pl.Categorical(),
    "residence_status": pl.Categorical(),
    "exclusion_status": pl.Categorical(),
    "registered_jobseeker": pl.Boolean(),
    "income_12m": pl.Float64(),
    "income_3m": pl.Float64(),
    "wage_12m": pl.Float64(),
    "pension_3m": pl.Float64(),
    "employed": pl.Boolean(),
    "employment_end_date": pl.Date(),
    "insured_months_24m": pl.Int32(),
    "insurance_record_months": pl.Int32(),
    "pension_capital": pl.Float64(),
    "disability_percent": pl.Int32(),
    "disability_group": pl.Int32(),
    "job_offers_refused_12m": pl.Int32(),
    "deceased_parents": pl.Int32(),
}

HOUSEHOLD_SCHEMA: dict[str, pl.DataType] = {
    "household_id": pl.Int64(),
    "region": pl.Categorical(),
    "district": pl.Categorical(),
    "vehicles": pl.Int32(),
    "vehicles_rehab": pl.Int32(),
    "real_estate_same_purpose_max": pl.Int32(),
    "purchases_12m": pl.Float64(),
    "utilities_monthly": pl.Float64(),
}

# The columns that may be null; every other one is 0, False or "" where no fact says otherwise
# (an empty citizenship means stateless, and CSV cannot tell it from null).
NULLABLE = frozenset(
    {"death_date", "exclusion_status", "employment_end_date", "disability_percent",
     "disability_group"}
)


def parse_period(period: str) -> dt.date:
    """The first day of the month ``YYYY-MM``; raises SnapshotPeriodError otherwise."""
    match = _PERIOD.match(period) if isinstance(period, str) else None
    if match is None:
        raise SnapshotPeriodError(str(INVALID_PERIOD))
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


# --- Reading -------------------------------------------------------------------------------------

Params = Mapping[str, dt.date | int]


def _raw_schema(columns: Sequence[str], schema: Mapping[str, pl.DataType]) -> dict[str, Any]:
    """What the SQL hands over: dates as ISO text, flags and counts as integers."""
    raw: dict[str, Any] = {}
    for name in columns:
        dtype = schema[name]
        if dtype in (pl.Date(), pl.Categorical()):
            raw[name] = pl.String()
        elif dtype in (pl.Boolean(), pl.Int32()):
            raw[name] = pl.Int64()
        else:
            raw[name] = dtype
    return raw


def _read_postgresql(
    cursor: Any, part: Part, params: Params, schema: Mapping[str, pl.DataType],
    parser: ThreadPoolExecutor,
) -> Future[pl.DataFrame]:
    """COPY one query out; Polars parses it on the parser thread while the next query runs."""
    raw_schema = _raw_schema(part.columns, schema)
    data = bytearray()
    # psycopg merges the parameters client-side: COPY cannot take server-side parameters.
    with cursor.copy(f"COPY ({part.sql}) TO STDOUT WITH (FORMAT csv)", params) as copy:
        for chunk in copy:
            data += chunk
    if not data:
        return parser.submit(pl.DataFrame, schema=raw_schema)
    return parser.submit(pl.read_csv, bytes(data), has_header=False, schema=raw_schema)


def _sqlite_params(params: Params) -> dict[str, str | int]:
    # SQLite compares dates as ISO text, so it gets them as text.
    return {
        key: value.isoformat() if isinstance(value, dt.date) else value
        for key, value in params.items()
    }


def _read_sqlite(
    cursor: Any, part: Part, params: Params, schema: Mapping[str, pl.DataType]
) -> pl.DataFrame:
    cursor.execute(part.sql, _sqlite_params(params))
    rows = cursor.fetchall()
    return pl.DataFrame(
        rows, schema=_raw_schema(part.columns, schema), orient="row", strict=False
    )


def _assemble(
    frames: list[pl.DataFrame], schema: Mapping[str, pl.DataType], key: str,
    order: Sequence[str],
) -> pl.DataFrame:
    """Left-join the parts onto the base rows and cast the result to the contract.

    Rows come out in ``order``: persons by household, then person, so that each household's
    members are consecutive and the rules engine can take its sorted path (docs/rules.md).
    """
    frame = frames[0]
    for part in frames[1:]:
        frame = frame.join(part, on=key, how="left", validate="1:1")
    columns: list[pl.Expr] = []
    for name, dtype in schema.items():
        column = pl.col(name)
        if dtype == pl.Date():
            column = column.str.to_date("%Y-%m-%d")
        elif dtype == pl.Float64():
            # PostgreSQL and SQLite add floats in different orders: rounding to the cent makes
            # both hand over the same numbers.
            column = column.cast(pl.Float64()).round(2)
        if name not in NULLABLE and dtype != pl.Date():
            column = column.fill_null("" if dtype in (pl.String(), pl.Categorical()) else 0)
        if dtype == pl.Boolean():
            column = column != 0
        columns.append(column.cast(dtype).alias(name))
    return frame.select(columns).sort(order)


def period_snapshot(
    period: str, *, using: str = "default", household_ids: Collection[int] | None = None
) -> Snapshot:
    """Export the registry for the month ``period`` (``YYYY-MM``) as persons and households.

    With ``household_ids`` (a few households, e.g. the one a case is about), only those
    households and their members of the month are exported, with the same columns and values
    as in the full export.

    Every query runs in one transaction (REPEATABLE READ on PostgreSQL when the caller is not
    already in one), so both frames describe the same state of the registry. The only write is
    a temporary table of the month's members, dropped before returning.
    """
    first = parse_period(period)
    params: dict[str, dt.date | int] = dict(query_params(first))
    only = None if household_ids is None else sorted({int(pk) for pk in household_ids})
    if only is not None:
        params.update({f"h{i}": pk for i, pk in enumerate(only)})
    person_queries = partial(person_parts, only_members=only is not None)
    household_queries = household_parts(only_members=only is not None)
    connection = connections[using]
    postgresql = connection.vendor == "postgresql"
    fresh_transaction = not connection.in_atomic_block
    with transaction.atomic(using=using), connection.cursor() as cursor:
        if postgresql and fresh_transaction:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        if postgresql:
            # Large hash aggregates stay in memory instead of spilling to disk.
            cursor.execute("SET LOCAL work_mem = '256MB'")
        # Qualified, so that only a temporary table can ever be dropped: one is left over if an
        # earlier snapshot on this connection failed half-way.
        members = f"{'pg_temp' if postgresql else 'temp'}.{MEMBERS_TABLE}"
        cursor.execute(f"DROP TABLE IF EXISTS {members}")
        cursor.execute(
            members_create(None if only is None else len(only)),
            params if postgresql else _sqlite_params(params),
        )
        # On an error the transaction (or savepoint) rolls back, and the table with it.
        if postgresql:
            cursor.execute(f"ANALYZE {members}")
            with ThreadPoolExecutor(max_workers=1) as parser:
                persons_parsed = [
                    _read_postgresql(cursor.cursor, part, params, PERSON_SCHEMA, parser)
                    for part in person_queries("postgresql")
                ]
                households_parsed = [
                    _read_postgresql(cursor.cursor, part, params, HOUSEHOLD_SCHEMA, parser)
                    for part in household_queries
                ]
                persons = [future.result() for future in persons_parsed]
                households = [future.result() for future in households_parsed]
        else:
            persons = [_read_sqlite(cursor, part, params, PERSON_SCHEMA)
                       for part in person_queries("sqlite")]
            households = [_read_sqlite(cursor, part, params, HOUSEHOLD_SCHEMA)
                          for part in household_queries]
        cursor.execute(f"DROP TABLE {members}")
    return Snapshot(
        period=period,
        persons=_assemble(persons, PERSON_SCHEMA, "person_id", ["household_id", "person_id"]),
        households=_assemble(households, HOUSEHOLD_SCHEMA, "household_id", ["household_id"]),
    )


def snapshot_write(snapshot: Snapshot, directory: Path) -> tuple[Path, Path]:
    """Write ``persons.parquet`` and ``households.parquet`` into directory (created if needed).

    Not compressed (Polars' default is zstd): the rules engine reads the columns it needs
    with about half the CPU (a TSSA run over 10M persons reads four; docs/performance.md,
    "Rules engine"), for files ~3× zstd's (persons at 10M: 695 against 249 MB). Parquet's
    own encodings still apply: code lists and small counts stay dictionary- and RLE-encoded.
    """
    directory.mkdir(parents=True, exist_ok=True)
    persons_path = directory / "persons.parquet"
    households_path = directory / "households.parquet"
    snapshot.persons.write_parquet(persons_path, compression="uncompressed")
    snapshot.households.write_parquet(households_path, compression="uncompressed")
    return persons_path, households_path
