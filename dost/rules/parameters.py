"""Dated parameters read from YAML: a tree of named values, each with a unit and a citation.

File ``parameters/tssa.yaml`` holding ``need_criterion`` defines ``tssa.need_criterion``.
A leaf has ``values`` (date -> value, or date -> {value, citation}) and optionally ``scale``
(``band_amount`` or ``marginal_rate``) when each value is a list of brackets. The value for a
period is the one with the latest ``valid_from`` on or before the period's first day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from dost.rules.errors import RulebookError
from dost.rules.variables import Labels, Scalar

SCALES = ("band_amount", "marginal_rate")


@dataclass(frozen=True)
class Bracket:
    threshold: float
    amount: float = 0.0  # band_amount: paid when the base is in this band
    rate: float = 0.0  # marginal_rate: applied to the part of the base in this band


Value = Scalar | tuple[Bracket, ...]


@dataclass(frozen=True)
class DatedValue:
    valid_from: dt.date
    value: Value
    citation: str


@dataclass(frozen=True)
class Parameter:
    name: str
    unit: str
    citation: str
    values: tuple[DatedValue, ...]
    label: Labels = field(default_factory=dict)
    scale: str | None = None
    source: str = "<memory>"

    def at(self, day: dt.date) -> DatedValue | None:
        found = None
        for dated in self.values:  # sorted by valid_from
            if dated.valid_from <= day:
                found = dated
        return found

    def latest(self) -> DatedValue:
        return self.values[-1]


@dataclass(frozen=True)
class Parameters(Mapping[str, Parameter]):
    items_: Mapping[str, Parameter]

    def __getitem__(self, key: str) -> Parameter:
        return self.items_[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.items_)

    def __len__(self) -> int:
        return len(self.items_)

    def replaced(self, changes: Mapping[str, Value | Mapping[dt.date, Value]]) -> Parameters:
        """A copy with values replaced: one value for all dates, or a dated mapping."""
        items = dict(self.items_)
        for name, change in changes.items():
            if name not in items:
                raise RulebookError("<reform>", name, "unknown parameter")
            old = items[name]
            citation = "reform"
            if isinstance(change, Mapping):
                dated = tuple(
                    DatedValue(day, _coerce(old, value), citation)
                    for day, value in sorted(change.items())
                )
            else:
                dated = (DatedValue(dt.date.min, _coerce(old, change), citation),)
            items[name] = replace(old, values=dated)
        return Parameters(items)


def _coerce(param: Parameter, value: Any) -> Value:
    if param.scale:
        if not isinstance(value, (list, tuple)):
            raise RulebookError(param.source, param.name, "a scale needs a list of brackets")
        return tuple(b if isinstance(b, Bracket) else _bracket(param, b) for b in value)
    if isinstance(value, (bool, int, float, str)):
        return value
    raise RulebookError(param.source, param.name, f"value {value!r} is not a number, bool or text")


def _bracket(param: Parameter, raw: Any) -> Bracket:
    if not isinstance(raw, Mapping) or "threshold" not in raw:
        raise RulebookError(param.source, param.name, f"bracket {raw!r} needs a threshold")
    return Bracket(
        float(raw["threshold"]), float(raw.get("amount", 0.0)), float(raw.get("rate", 0.0))
    )


def _leaf(source: str, name: str, raw: Mapping[str, Any]) -> Parameter:
    for key in ("unit", "citation"):
        if not raw.get(key):
            raise RulebookError(source, name, f"parameter needs a {key}")
    scale = raw.get("scale")
    if scale is not None and scale not in SCALES:
        raise RulebookError(source, name, f"scale must be one of {', '.join(SCALES)}")
    param = Parameter(
        name,
        str(raw["unit"]),
        str(raw["citation"]),
        (),
        dict(raw.get("label") or {}),
        scale,
        source,
    )
    values = raw["values"]
    if not isinstance(values, Mapping) or not values:
        raise RulebookError(source, name, "values must map valid_from dates to values")
    dated: list[DatedValue] = []
    for day, entry in values.items():
        if not isinstance(day, dt.date):
            raise RulebookError(source, name, f"valid_from {day!r} is not a YYYY-MM-DD date")
        citation = param.citation
        if isinstance(entry, Mapping) and "value" in entry:
            citation = str(entry.get("citation") or citation)
            entry = entry["value"]
        dated.append(DatedValue(day, _coerce(param, entry), citation))
    return replace(param, values=tuple(sorted(dated, key=lambda d: d.valid_from)))


def _walk(source: str, prefix: str, raw: Mapping[str, Any], out: dict[str, Parameter]) -> None:
    for key, node in raw.items():
        name = f"{prefix}.{key}"
        if not isinstance(node, Mapping):
            raise RulebookError(source, name, "expected a group or a parameter with values")
        if "values" in node:
            out[name] = _leaf(source, name, node)
        else:
            _walk(source, name, node, out)


def load_parameters(directory: Path) -> Parameters:
    out: dict[str, Parameter] = {}
    for path in sorted(directory.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            raw = yaml.safe_load(handle) or {}
        if not isinstance(raw, Mapping):
            raise RulebookError(str(path), path.stem, "a parameter file must be a mapping")
        _walk(str(path), path.stem, raw, out)
    return Parameters(out)
