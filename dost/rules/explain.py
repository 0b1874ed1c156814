"""Explanations: for one household and period, every variable that led to an output.

The tree is built from values already computed for the household (no second evaluation):
each node carries its value, label, legal reference, the formula's plain-words note and the
parameter values it used with their citations. A variable reached twice is shown in full
once and then marked ``repeated``, which keeps the tree readable and its size linear.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dost.rules.entities import PERSON
from dost.rules.formula import UsedParameter
from dost.rules.parameters import Bracket, Value
from dost.rules.valuetypes import BOOL, MONEY
from dost.rules.variables import Labels, Variable


@dataclass(frozen=True)
class Node:
    variable: Variable
    value: Any  # scalar for a household variable, {person_id: value} for a person variable
    parameters: tuple[UsedParameter, ...]
    children: tuple[Node, ...]
    repeated: bool = False


@dataclass(frozen=True)
class Explanation:
    rulebook: str
    version: str
    reform: str | None
    period: str
    household_id: int
    currency: str
    roots: tuple[Node, ...]
    texts: Mapping[str, Mapping[str, str]]

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        return {
            "rulebook": self.rulebook,
            "version": self.version,
            "reform": self.reform,
            "period": self.period,
            "household_id": self.household_id,
            "currency": self.currency,
            "language": lang,
            "outputs": [_node_json(n, lang) for n in self.roots],
        }

    def to_text(self, lang: str = "en") -> str:
        words = self.texts.get(lang) or self.texts["en"]
        lines: list[str] = []
        for root in self.roots:
            title = words["title"].format(
                output=_label(root.variable.label, lang), period=self.period
            )
            lines.append(title)
            _node_text(root, lang, words, self.currency, 1, lines)
            lines.append("")
        return "\n".join(lines).rstrip() + "\n"


def _label(labels: Labels, lang: str) -> str:
    return labels.get(lang) or labels.get("en") or next(iter(labels.values()), "")


def plain(value: Any) -> Any:
    """A value as JSON can hold it (dates as ISO text, brackets as mappings)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Bracket):
        return {"threshold": value.threshold, "amount": value.amount, "rate": value.rate}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _param_json(used: UsedParameter, lang: str) -> dict[str, Any]:
    return {
        "name": used.name,
        "label": _label(used.parameter.label, lang) if used.parameter.label else used.name,
        "value": plain(used.value),
        "unit": used.unit,
        "valid_from": used.valid_from.isoformat(),
        "citation": used.citation,
    }


def _node_json(node: Node, lang: str) -> dict[str, Any]:
    var = node.variable
    value = (
        {str(k): plain(v) for k, v in node.value.items()}
        if var.entity is PERSON
        else plain(node.value)
    )
    out: dict[str, Any] = {
        "variable": var.name,
        "entity": str(var.entity),
        "type": str(var.vtype),
        "label": _label(var.label, lang),
        "value": value,
        "reference": var.reference,
    }
    if var.value_labels:
        out["value_labels"] = {c: _label(v, lang) for c, v in var.value_labels.items()}
    if node.repeated:
        out["repeated"] = True
        return out
    out["formula"] = _label(var.note, lang) if var.note else None
    out["parameters"] = [_param_json(p, lang) for p in node.parameters]
    out["inputs"] = [_node_json(c, lang) for c in node.children]
    return out


def _fmt(value: Any, var: Variable, words: Mapping[str, str], currency: str, lang: str) -> str:
    vtype = var.vtype
    if value is None:
        return words["none"]
    if vtype is BOOL:
        return words["yes"] if value else words["no"]
    if vtype is MONEY:
        return f"{float(value):,.2f} {currency}"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(_code(v, var, lang) for v in value) or words["empty"]
    return _code(value, var, lang)


def _code(value: Any, var: Variable, lang: str) -> str:
    labels = var.value_labels.get(str(value))
    return _label(labels, lang) if labels else str(value)


def _fmt_param(value: Value, unit: str, words: Mapping[str, str]) -> str:
    unit = words.get(f"unit.{unit}", unit)
    if isinstance(value, tuple):
        return "; ".join(f"≥{b.threshold:g}: {b.amount or b.rate:g}" for b in value) + f" {unit}"
    return f"{value} {unit}"


def _node_text(
    node: Node, lang: str, words: Mapping[str, str], currency: str, depth: int, lines: list[str]
) -> None:
    var = node.variable
    pad = "  " * depth
    if var.entity is PERSON:
        value = (
            "; ".join(
                f"{words['person'].format(id=k)} {_fmt(v, var, words, currency, lang)}"
                for k, v in node.value.items()
            )
            or words["empty"]
        )
    else:
        value = _fmt(node.value, var, words, currency, lang)
    line = words["line"].format(label=_label(var.label, lang), value=value)
    lines.append(f"{pad}- {line}" + (f" {words['see_above']}" if node.repeated else ""))
    if node.repeated:
        return
    if var.note:
        lines.append(f"{pad}  = {_label(var.note, lang)}")
    lines.append(f"{pad}  § {var.reference}")
    for used in node.parameters:
        label = _label(used.parameter.label, lang) if used.parameter.label else used.name
        lines.append(
            f"{pad}  · {words['parameters']} {label} = {_fmt_param(used.value, used.unit, words)}"
            f" ({words['valid_from'].format(date=used.valid_from.isoformat())}; "
            f"{words['source'].format(citation=used.citation)})"
        )
    for child in node.children:
        _node_text(child, lang, words, currency, depth + 1, lines)
