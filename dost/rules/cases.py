"""One household as a case: the JSON an author, a caseworker screen or an API sends.

    {"period": "2026-03", "outputs": ["tssa_amount"],
     "household": {"vehicles": 0, ...},
     "persons": [{"person_id": 1, "role": "head", "birth_date": "1980-05-01", ...}]}

Fields are the snapshot's columns (docs/snapshot.md). Absent inputs take the variable's
default (or null); ``person_id`` defaults to the position (1, 2, ...) and ``household_id`` to 1.
Unknown fields are an error, so a typo never silently becomes a default.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from dost.rules.entities import HOUSEHOLD, HOUSEHOLD_KEY, PERSON, PERSON_KEY, ROLE, ROLES, Entity
from dost.rules.errors import CaseError
from dost.rules.periods import Period
from dost.rules.snapshot import HOUSEHOLD_COLUMNS, PERSON_COLUMNS
from dost.rules.valuetypes import DATE, DTYPES
from dost.rules.variables import Kind, Variable


@dataclass(frozen=True)
class Case:
    persons: pl.DataFrame
    household: pl.DataFrame
    period: Period | None = None
    outputs: tuple[str, ...] | None = None


def _value(var: Variable, raw: Any) -> Any:
    if raw is None:
        return var.default
    if var.values and raw not in var.values:
        raise CaseError(f"{var.name}: {raw!r} is not one of {', '.join(var.values)}")
    if var.vtype is DATE and isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw)
        except ValueError as exc:
            raise CaseError(f"{var.name}: {raw!r} is not a YYYY-MM-DD date") from exc
    return raw


def _frame(
    entity: Entity,
    rows: Sequence[Mapping[str, Any]],
    variables: Mapping[str, Variable],
    allowed: Sequence[str],
) -> pl.DataFrame:
    inputs = {
        v.column or v.name: v
        for v in variables.values()
        if v.kind is Kind.INPUT and v.entity is entity
    }
    known = set(allowed) | set(inputs)
    for row in rows:
        unknown = sorted(set(row) - known)
        if unknown:
            raise CaseError(f"unknown {entity} field(s): {', '.join(unknown)}")
    schema: dict[str, pl.DataType] = {HOUSEHOLD_KEY: pl.Int64()}
    if entity is PERSON:
        schema |= {PERSON_KEY: pl.Int64(), ROLE: pl.String()}
    schema |= {col: DTYPES[v.vtype] for col, v in inputs.items() if col not in schema}
    data: dict[str, list[Any]] = {col: [] for col in schema}
    for index, row in enumerate(rows):
        for col in schema:
            if col in inputs:
                data[col].append(_value(inputs[col], row.get(col)))
            elif col == PERSON_KEY:
                data[col].append(row.get(col, index + 1))
            elif col == HOUSEHOLD_KEY:
                data[col].append(row.get(col, 1))
            else:
                data[col].append(row.get(col, "other"))
    try:
        return pl.DataFrame(data, schema=schema, strict=False)
    except (pl.exceptions.PolarsError, TypeError, ValueError) as exc:
        raise CaseError(f"{entity} fields do not fit their types: {exc}") from exc


def parse_case(raw: Mapping[str, Any], variables: Mapping[str, Variable]) -> Case:
    if not isinstance(raw.get("persons"), list):
        raise CaseError("a case needs a list of persons")
    household = dict(raw.get("household") or {})
    household.setdefault(HOUSEHOLD_KEY, 1)
    persons = [{HOUSEHOLD_KEY: household[HOUSEHOLD_KEY], **p} for p in raw["persons"]]
    for person in persons:
        if person.get(ROLE, "other") not in ROLES:
            raise CaseError(f"role must be one of {', '.join(ROLES)}, got {person.get(ROLE)!r}")
    ids = [p.get(PERSON_KEY, i + 1) for i, p in enumerate(persons)]
    if len(set(ids)) != len(ids):
        raise CaseError("person_id values must be unique")
    outputs = raw.get("outputs")
    return Case(
        persons=_frame(PERSON, persons, variables, PERSON_COLUMNS),
        household=_frame(HOUSEHOLD, [household], variables, HOUSEHOLD_COLUMNS),
        period=Period.parse(raw["period"]) if raw.get("period") else None,
        outputs=tuple(outputs) if outputs else None,
    )
