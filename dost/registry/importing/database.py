"""Set-based database access for the import: key lookups, id reservation and bulk loading.

Everything moves as Polars frames, never row by row through the ORM. On PostgreSQL, rows go in
and out with `COPY` (psycopg 3's `cursor.copy`) and key lookups join against a temporary table
filled by `COPY`; on SQLite the same operations use `executemany` in large batches. Both paths
take and return the same frames, so the validation and the results are identical.

Table and column names come from model metadata, never from the file; values never go into SQL
text (they travel through `COPY` or query parameters).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import polars as pl
from django.db import connection
from django.db.backends.utils import CursorWrapper

KEYS_TABLE = "dost_import_keys"
# Rows per COPY chunk / executemany batch: large enough to amortise the round trip, small
# enough that the progress bar moves and memory stays flat.
CHUNK_ROWS = 200_000
# From this many distinct keys on, a lookup may read the whole table instead (see `lookup`).
WHOLE_TABLE_MIN_KEYS = 50_000


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


class Database:
    """The import's view of the default database connection (inside the caller's transaction)."""

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"

    # --- reading -------------------------------------------------------------------------

    def has_rows(self, table: str) -> bool:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {_quote(table)} LIMIT 1")  # noqa: S608 - model name
            return cursor.fetchone() is not None

    def count(self, table: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {_quote(table)}")  # noqa: S608 - model name
            row = cursor.fetchone()
            return int(row[0]) if row else 0

    def fetch(self, sql: str, schema: dict[str, pl.DataType]) -> pl.DataFrame:
        """The rows of a parameterless SELECT as a frame with the given column types."""
        with connection.cursor() as cursor:
            if self.postgres:
                buffer = io.BytesIO()
                with cursor.cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
                    for block in copy:
                        buffer.write(block)
                if not buffer.tell():
                    return pl.DataFrame(schema=schema)
                buffer.seek(0)
                text_schema = dict.fromkeys(schema, pl.String)
                frame = pl.read_csv(
                    buffer, has_header=False, new_columns=list(schema), schema=text_schema
                )
            else:
                cursor.execute(sql)
                rows = cursor.fetchall()
                if not rows:
                    return pl.DataFrame(schema=schema)
                frame = pl.DataFrame(
                    [[_text(v) for v in row] for row in rows],
                    schema=dict.fromkeys(schema, pl.String), orient="row",
                )
        return frame.with_columns(_from_text(name, dtype) for name, dtype in schema.items())

    @contextmanager
    def keys(self, values: pl.Series) -> Iterator[str]:
        """A temporary one-column table `k` holding the distinct values, for set-based joins."""
        sql_type = "bigint" if values.dtype.is_integer() else "text"
        distinct = values.drop_nulls().unique()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {KEYS_TABLE}")
            cursor.execute(f"CREATE TEMPORARY TABLE {KEYS_TABLE} (k {sql_type} PRIMARY KEY)")
            try:
                self._load(cursor, KEYS_TABLE, distinct.to_frame("k"), lambda n: None)
                if self.postgres:
                    cursor.execute(f"ANALYZE {KEYS_TABLE}")
                yield KEYS_TABLE
            finally:
                cursor.execute(f"DROP TABLE IF EXISTS {KEYS_TABLE}")

    def lookup(self, table: str, key_column: str, values: pl.Series) -> pl.DataFrame:
        """`key` → `id` for those of the values present in table.key_column."""
        schema: dict[str, pl.DataType] = {"key": pl.String(), "id": pl.Int64()}
        distinct = values.cast(pl.String).drop_nulls().unique()
        if distinct.is_empty() or not self.has_rows(table):
            return pl.DataFrame(schema=schema)
        if len(distinct) >= WHOLE_TABLE_MIN_KEYS and len(distinct) * 4 >= self.count(table):
            # Asking for a good part of the table: reading all of it and joining in Polars is
            # several times faster than loading the keys into a temporary table to join there.
            whole = self.fetch(
                f"SELECT {_quote(key_column)}, id FROM {_quote(table)}",  # noqa: S608
                schema,
            )
            return whole.filter(pl.col("key").is_in(distinct.implode()))
        with self.keys(distinct) as keys:
            sql = (
                f"SELECT t.{_quote(key_column)}, t.id FROM {_quote(table)} t "  # noqa: S608
                f"JOIN {keys} ON {keys}.k = t.{_quote(key_column)}"
            )
            return self.fetch(sql, schema)

    def rows_for(
        self, table: str, columns: dict[str, pl.DataType], by: str, ids: pl.Series, where: str = ""
    ) -> pl.DataFrame:
        """The given columns of the rows whose `by` column is one of ids."""
        if ids.is_empty() or not self.has_rows(table):
            return pl.DataFrame(schema=columns)
        with self.keys(ids.cast(pl.Int64)) as keys:
            selected = ", ".join(f"t.{_quote(c)}" for c in columns)
            sql = (
                f"SELECT {selected} FROM {_quote(table)} t "  # noqa: S608 - names from models
                f"JOIN {keys} ON {keys}.k = t.{_quote(by)} {where}"
            )
            return self.fetch(sql, columns)

    def timestamp(self, moment: dt.datetime) -> str:
        """A timestamp as the backend stores what Django writes (UTC, text for COPY/SQLite)."""
        if self.postgres:
            return moment.isoformat()
        return str(connection.ops.adapt_datetimefield_value(moment))

    # --- writing -------------------------------------------------------------------------

    def reserve_ids(self, table: str, count: int) -> pl.Series:
        """`count` primary keys for new rows, taken from the table's own sequence."""
        if count == 0:
            return pl.Series("id", [], dtype=pl.Int64)
        if self.postgres:
            frame = self.fetch(
                f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "  # noqa: S608
                f"FROM generate_series(1, {int(count)})",
                {"id": pl.Int64()},
            )
            return frame["id"]
        with connection.cursor() as cursor:
            # Inside the import's transaction SQLite holds the write lock, so nobody else can take
            # these ids; sqlite_sequence keeps AUTOINCREMENT from reusing ids of deleted rows.
            cursor.execute(
                "SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "  # noqa: S608
                f"coalesce((SELECT max(id) FROM {_quote(table)}), 0))",
                [table],
            )
            row = cursor.fetchone()
            start = int(row[0]) + 1 if row else 1
        return pl.int_range(start, start + count, dtype=pl.Int64, eager=True).alias("id")

    @contextmanager
    def bulk_load(self, table: str) -> Iterator[bool]:
        """Fill an empty PostgreSQL table without its secondary indexes and constraints meanwhile.

        PostgreSQL's own advice for populating a table ("Populating a Database" in its manual):
        building an index over loaded rows is much faster than updating it row by row, and
        adding a foreign key checks all rows with one join instead of one query per row (Django
        declares them deferred, so those queries would all run at commit). The table is empty,
        so rebuilding costs no more than the file. The indexes, unique and foreign-key
        constraints are re-created with their own names and definitions before the transaction
        ends, so the schema is unchanged; a row that breaks one fails the file as a whole. The
        dropped constraints hold an exclusive lock on the table until commit, which is
        acceptable for a first load. A table that already has rows is loaded with everything
        in place. Yields whether the bulk mode is on.
        """
        if not self.postgres or self.has_rows(table):
            yield False
            return
        with connection.cursor() as cursor:
            # Unique constraints that a foreign key relies on cannot be dropped; none is today.
            cursor.execute(
                "SELECT c.conname, pg_get_constraintdef(c.oid), c.contype FROM pg_constraint c "
                "WHERE c.conrelid = %s::regclass AND (c.contype = 'f' OR (c.contype = 'u' "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint f "
                "WHERE f.contype = 'f' AND f.conindid = c.conindid))) "
                "ORDER BY c.contype DESC, c.conname",  # unique ones first, then foreign keys
                [table],
            )
            constraints = cursor.fetchall()
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass "
                "AND NOT x.indisprimary "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid "
                "AND c.conrelid = x.indrelid) ORDER BY i.relname",
                [table],
            )
            indexes = cursor.fetchall()
            # PostgreSQL refuses to alter a table with deferred checks still queued (rows the
            # caller wrote earlier in this transaction): run those checks now, then go back to
            # deferring, the way Django declares every foreign key.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for name, _definition, _type in constraints:
                cursor.execute(f"ALTER TABLE {_quote(table)} DROP CONSTRAINT {_quote(name)}")
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {_quote(name)}")
            # For this transaction only: index builds sort in memory instead of on disk.
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        yield True
        with connection.cursor() as cursor:
            for _name, definition in indexes:
                cursor.execute(definition)
            for name, definition, _type in constraints:
                cursor.execute(
                    f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}"
                )
            cursor.execute(f"ANALYZE {_quote(table)}")

    def insert(self, table: str, frame: pl.DataFrame, on_chunk: Callable[[int], None]) -> None:
        """Append the frame's rows to the table; its columns are the table's column names."""
        with connection.cursor() as cursor:
            self._load(cursor, table, frame, on_chunk)

    def _load(
        self, cursor: CursorWrapper, table: str, frame: pl.DataFrame,
        on_chunk: Callable[[int], None],
    ) -> None:
        columns = ", ".join(_quote(c) for c in frame.columns)
        if self.postgres:
            statement = f"COPY {_quote(table)} ({columns}) FROM STDIN (FORMAT csv, NULL '\\N')"
            with cursor.cursor.copy(statement) as copy:
                for chunk in frame.iter_slices(CHUNK_ROWS):
                    # Quoting every text value keeps a literal "\N" in a cell from reading as NULL.
                    copy.write(
                        chunk.write_csv(
                            include_header=False, null_value="\\N", quote_style="non_numeric"
                        )
                    )
                    on_chunk(chunk.height)
            return
        placeholders = ", ".join(["%s"] * frame.width)
        sql = f"INSERT INTO {_quote(table)} ({columns}) VALUES ({placeholders})"  # noqa: S608
        # Django stores dates on SQLite as ISO text, which is what the cast gives.
        frame = frame.with_columns(pl.col(pl.Date).cast(pl.String))
        for chunk in frame.iter_slices(CHUNK_ROWS):
            cursor.executemany(sql, chunk.rows())
            on_chunk(chunk.height)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _from_text(name: str, dtype: pl.DataType) -> pl.Expr:
    column = pl.col(name)
    if dtype == pl.Date:
        return column.str.slice(0, 10).str.to_date("%Y-%m-%d").alias(name)
    return column.cast(dtype).alias(name)
