"""Reading an import file into a Polars frame with the line number of every row.

CSV is read by Polars' CSV reader with every column as text (types are checked by validation, so
that a bad cell becomes a reported error instead of a reader failure). Parquet columns keep their
types; validation accepts a typed column (a Parquet date) as well as its text form.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.utils.translation import gettext_lazy as _

from dost.registry.importing.kinds import Kind
from dost.registry.importing.report import RowError

LINE = "__line"
SUFFIXES = (".csv", ".parquet")

UNREADABLE = _("the file cannot be read: %(error)s")
UNKNOWN_SUFFIX = _("unknown file type; use .csv or .parquet")
UNKNOWN_COLUMN = _("unknown column (check its spelling; unknown columns are not ignored)")
MISSING_COLUMN = _("required column is missing from the header")


@dataclass
class Table:
    frame: pl.DataFrame
    errors: list[RowError]


def read_table(path: Path, kind: Kind) -> Table:
    """The file's rows with a `__line` column, or the header errors that stop validation."""
    name = str(path)
    try:
        if path.suffix == ".csv":
            frame = _read_csv(path)
        elif path.suffix == ".parquet":
            frame = pl.read_parquet(path)
            # Parquet has no lines: the row number + 1, so that the first row is line 2 as in CSV.
            frame = frame.with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64))
        else:
            return Table(pl.DataFrame(), [RowError(name, 0, "", str(UNKNOWN_SUFFIX))])
    except (pl.exceptions.PolarsError, OSError, UnicodeDecodeError) as exc:
        return Table(pl.DataFrame(), [RowError(name, 0, "", str(UNREADABLE % {"error": exc}))])

    errors = []
    header = [c for c in frame.columns if c != LINE]
    seen = set(header)
    for column in header:
        # Polars renames a repeated header to `<name>_duplicated_<n>`, reported here as unknown.
        if column not in kind.column_names:
            errors.append(RowError(name, 1, column, str(UNKNOWN_COLUMN)))
    for spec in kind.columns:
        if spec.required and spec.name not in seen:
            errors.append(RowError(name, 1, spec.name, str(MISSING_COLUMN)))
    if errors:
        return Table(pl.DataFrame(), errors)

    missing = [c.name for c in kind.columns if c.name not in seen]
    frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(c) for c in missing)
    return Table(frame.select(LINE, *kind.column_names), [])


def _read_csv(path: Path) -> pl.DataFrame:
    # `raise_if_empty=False`: a header-only file is a valid file with no rows.
    frame = pl.read_csv(path, infer_schema=False, raise_if_empty=False)
    frame = frame.rename(lambda c: c.removeprefix("\ufeff").strip())
    # A quoted value may contain line breaks, so the line of a row is 2 + its index + the line
    # breaks inside the rows before it. Computed only when there are any (the common case is free).
    breaks = [
        pl.col(c).str.count_matches("\n", literal=True).fill_null(0)
        for c in frame.columns
    ]
    has_breaks = frame.height > 0 and any(
        frame.select(pl.col(c).str.contains("\n", literal=True).any()).item() for c in frame.columns
    )
    if has_breaks:
        inside = pl.sum_horizontal(breaks).cast(pl.Int64)
        line = pl.int_range(pl.len(), dtype=pl.Int64) + 2 + inside.cum_sum() - inside
        return frame.with_columns(line.alias(LINE))
    return frame.with_row_index(LINE, offset=2).with_columns(pl.col(LINE).cast(pl.Int64))
