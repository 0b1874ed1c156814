"""Explanations: for one household and period, every variable that led to an output.

The tree is built from values already computed for the household (no second evaluation):
each node carries its value, label, legal reference, the formula's plain-words note and the
parameter values it used with their citations. A variable reached twice is shown in full
once and then marked ``repeated``, which keeps the tree readable and its size linear.

An explanation splits in two JSON parts (`Explanation.shape` and `Explanation.values`): the
shape — the tree, the parameter values used with their dates and citations, every label, note
and word in every language — is the same for every household the same plan explains (rulebook
version, period, outputs); the values are the household's own. A decision can store the shape
once and its values alone, and render the tree (`render_json`) or the plain words
(`render_text`) in its reader's language later: the same text as the engine's, from frozen data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dost.rules.entities import PERSON
from dost.rules.formula import UsedParameter
from dost.rules.parameters import Bracket
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

    def shape(self) -> dict[str, Any]:
        """What every household explained by the same plan shares, in JSON and every language:
        the tree (variables, parameter values used with their dates and citations), the labels,
        formulas' notes, references and the words of the text. See `render_json`."""
        variables: dict[str, dict[str, Any]] = {}

        def node(n: Node) -> dict[str, Any]:
            var = n.variable
            if var.name not in variables:
                variables[var.name] = {
                    "entity": str(var.entity),
                    "type": str(var.vtype),
                    "label": dict(var.label),
                    "reference": var.reference,
                    "note": dict(var.note) if var.note else None,
                    "value_labels": {c: dict(v) for c, v in var.value_labels.items()},
                }
            if n.repeated:
                return {"variable": var.name, "repeated": True}
            return {
                "variable": var.name,
                "parameters": [
                    {
                        "name": used.name,
                        "label": dict(used.parameter.label) if used.parameter.label else None,
                        "value": plain(used.value),
                        "unit": used.unit,
                        "valid_from": used.valid_from.isoformat(),
                        "citation": used.citation,
                    }
                    for used in n.parameters
                ],
                "inputs": [node(c) for c in n.children],
            }

        roots = [node(r) for r in self.roots]
        return {
            "rulebook": self.rulebook,
            "version": self.version,
            "reform": self.reform,
            "period": self.period,
            "currency": self.currency,
            "texts": {lang: dict(words) for lang, words in self.texts.items()},
            "variables": variables,
            "roots": roots,
        }

    def values(self) -> dict[str, Any]:
        """What is this household's own: its id, its members' ids (in order) and the value of
        every variable of the tree (a list in the members' order for a person variable)."""
        persons: list[Any] = []
        found: dict[str, Any] = {}
        stack = list(self.roots)
        while stack:
            n = stack.pop()
            name = n.variable.name
            if name not in found:
                if n.variable.entity is PERSON:
                    if not persons:
                        persons = list(n.value)
                    found[name] = [plain(n.value.get(k)) for k in persons]
                else:
                    found[name] = plain(n.value)
            stack.extend(n.children)
        return {"household_id": self.household_id, "persons": persons, "values": found}

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        return render_json(self.shape(), self.values(), lang)

    def to_text(self, lang: str = "en") -> str:
        return render_text(self.shape(), self.values(), lang)


def render_json(shape: Mapping[str, Any], values: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The explanation tree in `lang`, from a `shape` and one household's `values`."""
    return {
        "rulebook": shape["rulebook"],
        "version": shape["version"],
        "reform": shape["reform"],
        "period": shape["period"],
        "household_id": values["household_id"],
        "currency": shape["currency"],
        "language": lang,
        "outputs": [_node_json(n, shape, values, lang) for n in shape["roots"]],
    }


def render_text(shape: Mapping[str, Any], values: Mapping[str, Any], lang: str) -> str:
    """The explanation in plain words in `lang`, from a `shape` and one household's `values`."""
    texts = shape["texts"]
    words = texts.get(lang) or texts["en"]
    lines: list[str] = []
    for root in shape["roots"]:
        var = shape["variables"][root["variable"]]
        lines.append(
            words["title"].format(output=_label(var["label"], lang), period=shape["period"])
        )
        _node_text(root, shape, values, lang, words, 1, lines)
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


def _param_json(used: Mapping[str, Any], lang: str) -> dict[str, Any]:
    return {
        "name": used["name"],
        "label": _label(used["label"], lang) if used["label"] else used["name"],
        "value": used["value"],
        "unit": used["unit"],
        "valid_from": used["valid_from"],
        "citation": used["citation"],
    }


def _value(name: str, var: Mapping[str, Any], values: Mapping[str, Any]) -> Any:
    value = values["values"].get(name)
    if var["entity"] == str(PERSON):
        return dict(zip(values["persons"], value or (), strict=False))
    return value


def _node_json(
    node: Mapping[str, Any], shape: Mapping[str, Any], values: Mapping[str, Any], lang: str
) -> dict[str, Any]:
    name = node["variable"]
    var = shape["variables"][name]
    value = _value(name, var, values)
    out: dict[str, Any] = {
        "variable": name,
        "entity": var["entity"],
        "type": var["type"],
        "label": _label(var["label"], lang),
        "value": {str(k): v for k, v in value.items()} if isinstance(value, dict) else value,
        "reference": var["reference"],
    }
    if var["value_labels"]:
        out["value_labels"] = {c: _label(v, lang) for c, v in var["value_labels"].items()}
    if node.get("repeated"):
        out["repeated"] = True
        return out
    out["formula"] = _label(var["note"], lang) if var["note"] else None
    out["parameters"] = [_param_json(p, lang) for p in node["parameters"]]
    out["inputs"] = [_node_json(c, shape, values, lang) for c in node["inputs"]]
    return out


def _fmt(
    value: Any, var: Mapping[str, Any], words: Mapping[str, str], currency: str, lang: str
) -> str:
    vtype = var["type"]
    if value is None:
        return words["none"]
    if vtype == str(BOOL):
        return words["yes"] if value else words["no"]
    if vtype == str(MONEY):
        return f"{float(value):,.2f} {currency}"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(_code(v, var, lang) for v in value) or words["empty"]
    return _code(value, var, lang)


def _code(value: Any, var: Mapping[str, Any], lang: str) -> str:
    labels = var["value_labels"].get(str(value))
    return _label(labels, lang) if labels else str(value)


def _fmt_param(value: Any, unit: str, words: Mapping[str, str]) -> str:
    unit = words.get(f"unit.{unit}", unit)
    if isinstance(value, list) and all(isinstance(b, Mapping) for b in value):
        # Brackets (see `plain`).
        return (
            "; ".join(f"≥{b['threshold']:g}: {b['amount'] or b['rate']:g}" for b in value)
            + f" {unit}"
        )
    return f"{value} {unit}"


def _node_text(
    node: Mapping[str, Any],
    shape: Mapping[str, Any],
    values: Mapping[str, Any],
    lang: str,
    words: Mapping[str, str],
    depth: int,
    lines: list[str],
) -> None:
    name = node["variable"]
    var = shape["variables"][name]
    currency = shape["currency"]
    value = _value(name, var, values)
    pad = "  " * depth
    if isinstance(value, dict):
        shown = (
            "; ".join(
                f"{words['person'].format(id=k)} {_fmt(v, var, words, currency, lang)}"
                for k, v in value.items()
            )
            or words["empty"]
        )
    else:
        shown = _fmt(value, var, words, currency, lang)
    line = words["line"].format(label=_label(var["label"], lang), value=shown)
    repeated = bool(node.get("repeated"))
    lines.append(f"{pad}- {line}" + (f" {words['see_above']}" if repeated else ""))
    if repeated:
        return
    if var["note"]:
        lines.append(f"{pad}  = {_label(var['note'], lang)}")
    lines.append(f"{pad}  § {var['reference']}")
    for used in node["parameters"]:
        label = _label(used["label"], lang) if used["label"] else used["name"]
        lines.append(
            f"{pad}  · {words['parameters']} {label} = "
            f"{_fmt_param(used['value'], used['unit'], words)}"
            f" ({words['valid_from'].format(date=used['valid_from'])}; "
            f"{words['source'].format(citation=used['citation'])})"
        )
    for child in node["inputs"]:
        _node_text(child, shape, values, lang, words, depth + 1, lines)
