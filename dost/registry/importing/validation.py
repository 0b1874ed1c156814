"""Vectorised validation of one import file: every bad cell of every row, with its reason.

Each check is a Polars expression giving a reason (text) or null per row; all checks of a stage run
in one pass over the frame. Stages: parse each column into its type (a bad value becomes null and
an error), cross-column rules, duplicates within the file, references (districts, households,
persons: resolved to ids with set-based lookups), and rows already in the registry.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.db import models as dj_models
from django.utils.translation import gettext_lazy as _

from dost.registry import models
from dost.registry.importing.database import Database
from dost.registry.importing.kinds import MEMBERSHIPS, PERSONS, Column, Kind, Type
from dost.registry.importing.reading import LINE
from dost.registry.importing.report import RowError
from dost.registry.national_id import (
    FIN_INVALID,
    FIN_PATTERN,
    PINFL_CHECK_DIGIT,
    PINFL_INVALID,
    PINFL_PATTERN,
    PINFL_WEIGHTS,
)

REQUIRED = _("a value is required")
TOO_LONG = _("longer than %(max)d characters")
BAD_FORMAT = _("“%(value)s” does not have the documented form")
NOT_A_DATE = _("“%(value)s” is not a date in the form YYYY-MM-DD")
NOT_A_MONTH = _("“%(value)s” is not a month in the form YYYY-MM")
NOT_MONEY = _("“%(value)s” is not an amount: digits, then a dot and up to 2 decimals")
NOT_A_WHOLE_NUMBER = _("“%(value)s” is not a whole number")
OUT_OF_RANGE = _("%(value)s is outside %(minimum)d to %(maximum)d")
NOT_A_BOOLEAN = _("“%(value)s” is not true or false (or 1 or 0)")
NOT_A_CHOICE = _("“%(value)s” is not one of: %(choices)s")
BEFORE = _("is before %(earlier)s")
IN_THE_FUTURE = _("is in the future")
DUPLICATE = _("duplicate of line %(line)s")
ALREADY_IN_REGISTRY = _("already in the registry")
UNKNOWN_DISTRICT = _("no district with code “%(value)s” (load the geography first)")
UNKNOWN_PERSON = _("no person with personal ID “%(value)s” in the registry")
UNKNOWN_PARENT = _("no person with personal ID “%(value)s” in this file or in the registry")
UNKNOWN_HOUSEHOLD = _("no household with reference “%(value)s” in the registry")
IN_REJECTED_FILE = _("“%(value)s” is only in %(file)s, which was rejected")
OWN_PARENT = _("a person cannot be their own parent")
SECOND_OPEN_MEMBERSHIP = _("a second open membership of this person (see line %(line)s)")
OPEN_MEMBERSHIP_EXISTS = _(
    "this person is already a member of a household; that membership must end first"
)

DATE_SHAPE = r"^\d{4}-\d{2}-\d{2}$"
MONTH_SHAPE = r"^\d{4}-\d{2}$"
# max_digits=14 with 2 decimal places leaves 12 digits before the dot.
MONEY_SHAPE = r"^\d{1,12}(\.\d{1,2})?$"
WHOLE_NUMBER_SHAPE = r"^\d{1,9}$"
TRUE_TEXTS = ("true", "1")
FALSE_TEXTS = ("false", "0")

REF = "__ref_"  # prefix of the columns holding resolved database ids
FIRST = "__first_line"
FIRST_OPEN = "__first_open_line"


@dataclass
class Context:
    file: str
    country: str
    db: Database
    districts: pl.DataFrame  # key (code) → id
    today: dt.date
    # Keys of files rejected earlier in the same run, by kind: a row referring to one of them is
    # told so, rather than told the key does not exist.
    rejected: dict[str, tuple[str, pl.Series]] = field(default_factory=dict)


@dataclass
class Validated:
    frame: pl.DataFrame
    errors: list[RowError]
    # For persons: personal IDs already in the registry (key → id), to resolve parents.
    known_persons: pl.DataFrame


def message(template: Any, per_row: dict[str, pl.Expr] | None = None, **fixed: Any) -> pl.Expr:
    """A translated message as an expression, with per-row values (`%(value)s`) filled in."""
    per_row = per_row or {}
    markers = {name: f"\x00{i}\x00" for i, name in enumerate(per_row)}
    text = str(template) % {**fixed, **markers}
    parts = re.split("\x00(\\d+)\x00", text)
    values = list(per_row.values())
    exprs = [
        pl.lit(part) if i % 2 == 0 else values[int(part)].cast(pl.String)
        for i, part in enumerate(parts)
    ]
    return pl.concat_str(exprs)


def model_field(kind: Kind, column: Column) -> dj_models.Field[Any, Any]:
    found = kind.model._meta.get_field(column.field_name)
    assert isinstance(found, dj_models.Field)
    return found


class _Validation:
    def __init__(self, frame: pl.DataFrame, kind: Kind, ctx: Context) -> None:
        self.frame = frame
        self.kind = kind
        self.ctx = ctx
        self.pending: list[tuple[str, pl.Expr, pl.Expr]] = []  # (column, condition, reason)
        self.found: list[pl.DataFrame] = []  # LINE, position, column, reason
        self.position = {c: i for i, c in enumerate(kind.column_names)}
        self.known_persons = pl.DataFrame(schema={"key": pl.String, "id": pl.Int64})

    def check(self, column: str, condition: pl.Expr, reason: pl.Expr) -> None:
        """Queue a rule: where `condition` is true (not false or null), `column` is bad."""
        self.pending.append((column, condition, reason))

    def flush(self, *values: pl.Expr) -> None:
        """Evaluate the queued conditions in one pass, then replace columns by `values`.

        Reasons are built only for the rows that fail, so a clean million-row file costs one
        boolean column per rule, not one string column.
        """
        if self.pending:
            # Lazily, so that Polars computes a sub-expression shared by rules only once.
            failing = self.frame.lazy().select(
                condition.fill_null(False).alias(str(i))
                for i, (_column, condition, _reason) in enumerate(self.pending)
            ).collect()
            for i, (column, _condition, reason) in enumerate(self.pending):
                mask = failing[str(i)]
                if mask.any():
                    self.found.append(
                        self.frame.filter(mask).select(
                            pl.col(LINE),
                            pl.lit(self.position[column], dtype=pl.Int64).alias("position"),
                            pl.lit(column).alias("column"),
                            reason.cast(pl.String).alias("reason"),
                        )
                    )
            self.pending = []
        if values:
            self.frame = self.frame.lazy().with_columns(*values).collect()

    # --- stage 1: every column into its type ---------------------------------------------

    def parse(self) -> None:
        values = []
        for column in self.kind.columns:
            dtype = self.frame.schema[column.name]
            raw = pl.col(column.name)
            if dtype == pl.String:
                raw = raw.str.strip_chars()
                raw = pl.when(raw != "").then(raw)
            if column.required:
                self.check(column.name, raw.is_null(), message(REQUIRED))
            value = self._parse(column, dtype, raw)
            values.append(value.alias(column.name))
        self.flush(*values)

    def _parse(self, column: Column, dtype: pl.DataType, raw: pl.Expr) -> pl.Expr:
        name = column.name
        match column.type:
            case Type.DATE:
                return self._date(name, dtype, raw)
            case Type.MONTH:
                return self._month(name, dtype, raw)
            case Type.INT:
                return self._int(column, dtype, raw)
            case Type.BOOL:
                return self._bool(name, dtype, raw)
        text = raw if dtype == pl.String else raw.cast(pl.String)
        match column.type:
            case Type.MONEY:
                ok = text.str.contains(MONEY_SHAPE)
                self.check(name, ~ok, message(NOT_MONEY, {"value": text}))
                return pl.when(ok).then(text)
            case Type.CHOICE:
                ok = text.is_in(list(column.choices))
                choices = ", ".join(column.choices)
                self.check(name, ~ok, message(NOT_A_CHOICE, {"value": text}, choices=choices))
                return pl.when(ok).then(text)
            case Type.PERSONAL_ID:
                return self._personal_id(name, text)
        bad: list[tuple[pl.Expr, pl.Expr]] = []
        max_length = model_field(self.kind, column).max_length
        if max_length:
            too_long = text.str.len_chars() > max_length
            bad.append((too_long, message(TOO_LONG, max=max_length)))
        if column.pattern:
            bad.append((~text.str.contains(column.pattern), message(BAD_FORMAT, {"value": text})))
        if bad:
            # Only the first failing rule is given as the reason.
            earlier = pl.lit(False)
            for condition, reason in bad:
                self.check(name, ~earlier & condition, reason)
                earlier = earlier | condition
            ok = pl.all_horizontal(~condition for condition, _ in bad)
            return pl.when(ok).then(text)
        return text

    def _date(self, name: str, dtype: pl.DataType, raw: pl.Expr) -> pl.Expr:
        if dtype == pl.Date:
            return raw
        if isinstance(dtype, pl.Datetime):
            return raw.dt.date()
        text = raw if dtype == pl.String else raw.cast(pl.String)
        parsed = text.str.to_date("%Y-%m-%d", strict=False, cache=False)
        ok = text.str.contains(DATE_SHAPE) & parsed.is_not_null()
        self.check(name, text.is_not_null() & ~ok, message(NOT_A_DATE, {"value": text}))
        return pl.when(ok).then(parsed)

    def _month(self, name: str, dtype: pl.DataType, raw: pl.Expr) -> pl.Expr:
        if dtype in (pl.Date, pl.Datetime):
            # A typed month is the first day of the month.
            day = raw.dt.date() if dtype != pl.Date else raw
            ok = day.dt.day() == 1
            self.check(name, ~ok, message(NOT_A_MONTH, {"value": day}))
            return pl.when(ok).then(day)
        text = raw if dtype == pl.String else raw.cast(pl.String)
        parsed = (text + "-01").str.to_date("%Y-%m-%d", strict=False, cache=False)
        ok = text.str.contains(MONTH_SHAPE) & parsed.is_not_null()
        self.check(name, text.is_not_null() & ~ok, message(NOT_A_MONTH, {"value": text}))
        return pl.when(ok).then(parsed)

    def _int(self, column: Column, dtype: pl.DataType, raw: pl.Expr) -> pl.Expr:
        name = column.name
        if dtype.is_integer():
            number = raw.cast(pl.Int64)
        else:
            text = raw if dtype == pl.String else raw.cast(pl.String)
            ok = text.str.contains(WHOLE_NUMBER_SHAPE)
            self.check(name, ~ok, message(NOT_A_WHOLE_NUMBER, {"value": text}))
            number = pl.when(ok).then(text.cast(pl.Int64, strict=False))
        if column.minimum is None or column.maximum is None:
            return number
        inside = number.is_between(column.minimum, column.maximum)
        self.check(
            name, ~inside,
            message(
                OUT_OF_RANGE, {"value": number}, minimum=column.minimum, maximum=column.maximum
            ),
        )
        return pl.when(inside).then(number)

    def _bool(self, name: str, dtype: pl.DataType, raw: pl.Expr) -> pl.Expr:
        if dtype == pl.Boolean:
            return raw
        text = (raw if dtype == pl.String else raw.cast(pl.String)).str.to_lowercase()
        ok = text.is_in([*TRUE_TEXTS, *FALSE_TEXTS])
        self.check(name, ~ok, message(NOT_A_BOOLEAN, {"value": text}))
        return pl.when(ok).then(text.is_in(list(TRUE_TEXTS)))

    def _personal_id(self, name: str, text: pl.Expr) -> pl.Expr:
        if self.ctx.country == "uz":
            shaped = text.str.contains(PINFL_PATTERN.pattern)
            digits = [text.str.slice(i, 1).cast(pl.Int32, strict=False) for i in range(14)]
            # ICAO 9303 weights over the first 13 digits, as national_id.pinfl_check_digit.
            weighted = pl.sum_horizontal(
                d * w for d, w in zip(digits[:13], PINFL_WEIGHTS[:13], strict=True)
            )
            check_ok = (weighted % 10) == digits[13]
            self.check(name, ~shaped, message(PINFL_INVALID))
            self.check(name, shaped & ~check_ok, message(PINFL_CHECK_DIGIT))
            ok = shaped & check_ok
        else:
            ok = text.str.contains(FIN_PATTERN.pattern)
            self.check(name, ~ok, message(FIN_INVALID))
        return pl.when(ok).then(text)

    # --- stage 2: rules across columns and rows ------------------------------------------

    def cross_checks(self) -> None:
        for order in self.kind.date_orders:
            later, earlier = pl.col(order.later), pl.col(order.earlier)
            self.check(order.later, later < earlier, message(BEFORE, earlier=order.earlier))
        if self.kind is PERSONS:
            for name in ("birth_date", "death_date"):
                self.check(name, pl.col(name) > self.ctx.today, message(IN_THE_FUTURE))
            for name in ("mother_id", "father_id"):
                self.check(name, pl.col(name) == pl.col("personal_id"), message(OWN_PARENT))
        # The first line of each key (and of each person's open membership) is kept as a column:
        # the reasons are built on the failing rows alone, where a window would see too little.
        key = list(self.kind.key)
        complete = pl.all_horizontal(pl.col(c).is_not_null() for c in key)
        self.frame = self.frame.with_columns(
            pl.when(complete).then(pl.col(LINE)).min().over(key).alias(FIRST)
        )
        first = pl.col(FIRST)
        self.check(
            key[0], complete & (pl.col(LINE) != first), message(DUPLICATE, {"line": first})
        )
        if self.kind is MEMBERSHIPS:
            is_open = pl.col("left_on").is_null() & pl.col("personal_id").is_not_null()
            self.frame = self.frame.with_columns(
                pl.when(is_open).then(pl.col(LINE)).min().over("personal_id").alias(FIRST_OPEN)
            )
            first_open = pl.col(FIRST_OPEN)
            self.check(
                "personal_id", is_open & (pl.col(LINE) != first_open),
                message(SECOND_OPEN_MEMBERSHIP, {"line": first_open}),
            )
        self.flush()
        self.frame = self.frame.drop(FIRST, FIRST_OPEN, strict=False)

    # --- stage 3: references, resolved to database ids -----------------------------------

    def resolve(self) -> None:
        references = (Type.DISTRICT, Type.HOUSEHOLD, Type.PERSON)
        refs = [c for c in self.kind.columns if c.type in references]
        for column in refs:
            if column.type is Type.DISTRICT:
                ids = self.ctx.districts
                unknown = UNKNOWN_DISTRICT
            elif column.type is Type.HOUSEHOLD:
                ids = self.ctx.db.lookup(
                    models.Household._meta.db_table, "reference", self.frame[column.name]
                )
                unknown = UNKNOWN_HOUSEHOLD
            else:
                ids = self._persons(column)
                unknown = UNKNOWN_PARENT if self.kind is PERSONS else UNKNOWN_PERSON
            self.frame = self.frame.join(
                ids.rename({"key": column.name, "id": REF + column.name}),
                on=column.name, how="left", coalesce=True, maintain_order="left",
            )
            value = pl.col(column.name)
            missing = value.is_not_null() & pl.col(REF + column.name).is_null()
            if self.kind is PERSONS:
                # A parent may be a row of this very file; their id is known only at load time.
                missing &= ~value.is_in(self.frame["personal_id"].drop_nulls().implode())
            rejected = self.ctx.rejected.get(
                "households" if column.type is Type.HOUSEHOLD else "persons"
            )
            if rejected and column.type is not Type.DISTRICT:
                file, keys = rejected
                in_rejected = value.is_in(keys.implode())
                self.check(
                    column.name, missing & in_rejected,
                    message(IN_REJECTED_FILE, {"value": value}, file=file),
                )
                missing &= ~in_rejected
            self.check(column.name, missing, message(unknown, {"value": value}))
        self.flush()

    def _persons(self, column: Column) -> pl.DataFrame:
        if self.kind is PERSONS:
            # One lookup for the persons' own IDs (to refuse re-imports) and their parents.
            if self.known_persons.is_empty():
                values = pl.concat(
                    [self.frame["personal_id"], self.frame["mother_id"], self.frame["father_id"]]
                )
                self.known_persons = self.ctx.db.lookup(
                    models.Person._meta.db_table, "personal_id", values
                )
            return self.known_persons
        table = models.Person._meta.db_table
        return self.ctx.db.lookup(table, "personal_id", self.frame[column.name])

    # --- stage 4: rows already in the registry -------------------------------------------

    def already_in_registry(self) -> None:
        key = self.kind.key[0]
        if self.kind is PERSONS:
            known = self.known_persons["key"].implode()
            self.check(key, pl.col(key).is_in(known), message(ALREADY_IN_REGISTRY))
        elif self.kind.key == ("reference",):
            known = self.ctx.db.lookup(
                models.Household._meta.db_table, "reference", self.frame["reference"]
            )["key"].implode()
            self.check(key, pl.col(key).is_in(known), message(ALREADY_IN_REGISTRY))
        else:
            self._existing_facts()
        self.flush()

    def _existing_facts(self) -> None:
        # The key in database terms: references by their resolved ids, the rest by value.
        db_key: dict[str, pl.DataType] = {}
        frame_key = []
        for name in self.kind.key:
            column = self.kind.column(name)
            db_column = model_field(self.kind, column).column or name
            if column.type in (Type.PERSON, Type.HOUSEHOLD):
                db_key[db_column] = pl.Int64()
                frame_key.append(REF + name)
            elif column.type in (Type.DATE, Type.MONTH):
                db_key[db_column] = pl.Date()
                frame_key.append(name)
            else:
                db_key[db_column] = pl.String()
                frame_key.append(name)
        by = next(iter(db_key))
        where = "" if self.kind is MEMBERSHIPS else "WHERE t.retracted_at IS NULL"
        existing = self.ctx.db.rows_for(
            self.kind.model._meta.db_table, db_key, by, self.frame[frame_key[0]], where
        )
        marker = "__exists"
        existing = existing.rename(dict(zip(db_key, frame_key, strict=True))).unique()
        self.frame = self.frame.join(
            existing.with_columns(pl.lit(True).alias(marker)), on=frame_key, how="left",
            maintain_order="left",
        )
        exists = pl.col(marker).fill_null(False)
        self.check(self.kind.key[0], exists, message(ALREADY_IN_REGISTRY))
        if self.kind is MEMBERSHIPS:
            person = REF + "personal_id"
            open_ids = self.ctx.db.rows_for(
                models.Membership._meta.db_table, {"person_id": pl.Int64()}, "person_id",
                self.frame[person], "WHERE t.left_on IS NULL",
            )["person_id"].implode()
            self.check(
                "personal_id",
                ~exists & pl.col("left_on").is_null() & pl.col(person).is_in(open_ids),
                message(OPEN_MEMBERSHIP_EXISTS),
            )

    # --- the result ----------------------------------------------------------------------

    def errors(self) -> list[RowError]:
        if not self.found:
            return []
        found = pl.concat(self.found).sort(LINE, "position", maintain_order=True)
        return [
            RowError(self.ctx.file, line, column, reason)
            for line, _position, column, reason in found.iter_rows()
        ]


def validate(frame: pl.DataFrame, kind: Kind, ctx: Context) -> Validated:
    """Every bad row of the file; the frame has typed values and `__ref_*` id columns."""
    run = _Validation(frame, kind, ctx)
    run.parse()
    run.cross_checks()
    run.resolve()
    run.already_in_registry()
    return Validated(run.frame, run.errors(), run.known_persons)
