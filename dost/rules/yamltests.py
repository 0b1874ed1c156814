"""YAML test cases for rulebooks: inputs, a period, expected outputs with a tolerance.

A test file is a list of cases, each a case (docs/rules.md) plus ``name``, ``expected``
and optionally ``tolerance`` (absolute, default 0.01)::

    - name: family of three, one conscript not counted
      period: 2026-03
      household: {vehicles: 0}
      persons:
        - {person_id: 1, role: head, income_12m: 2400}
      expected:
        tssa_amount: 700            # household output
        child_under_one_benefit: {3: 140}   # person output, by person_id

Only outputs named in ``expected`` are evaluated. The rulebook is the one whose directory
holds the file (the nearest ``rulebook.yaml`` above it) unless one is given.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from dost.rules.cases import parse_case
from dost.rules.engine import evaluate_case
from dost.rules.entities import PERSON
from dost.rules.errors import CaseError, RulebookError
from dost.rules.rulebook import Rulebook, load_rulebook

DEFAULT_TOLERANCE = 0.01


@dataclass(frozen=True)
class Outcome:
    file: str
    name: str
    failures: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.failures


def find_rulebook(path: Path) -> Path:
    for parent in [path, *path.resolve().parents]:
        if (parent / "rulebook.yaml").is_file():
            return parent
    raise RulebookError(
        str(path), path.name, "no rulebook.yaml above this test file; pass --rulebook"
    )


def case_files(path: Path) -> list[Path]:
    """A file; a rulebook's ``tests/``; or the tests of every rulebook under a directory."""
    if path.is_file():
        return [path]
    if (path / "rulebook.yaml").is_file():
        return sorted((path / "tests").glob("*.y*ml"))
    books = sorted(p.parent for p in path.rglob("rulebook.yaml"))
    if books:
        return [file for book in books for file in case_files(book)]
    return sorted(path.glob("*.y*ml"))


def load_cases(path: Path) -> list[dict[str, Any]]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    if isinstance(raw, Mapping):
        raw = raw.get("cases") or []
    if not isinstance(raw, list) or not all(isinstance(c, Mapping) for c in raw):
        raise CaseError(f"{path}: a test file is a list of cases")
    return [_stringify(dict(c)) for c in raw]


def _stringify(value: Any) -> Any:
    # YAML reads 2026-03 as text but 1980-01-01 as a date; cases want ISO text throughout.
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {k: _stringify(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_stringify(v) for v in value]
    return value


def _same(actual: Any, expected: Any, tolerance: float) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool) or expected is None or actual is None:
        return bool(actual == expected)
    if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
        return math.isclose(float(actual), float(expected), abs_tol=tolerance)
    if isinstance(expected, list) and isinstance(actual, list):
        return sorted(map(str, actual)) == sorted(map(str, expected))
    return bool(str(actual) == str(expected))


def run_case(book: Rulebook, raw: Mapping[str, Any], file: str = "<case>") -> Outcome:
    name = str(raw.get("name", "unnamed"))
    expected = raw.get("expected")
    if not isinstance(expected, Mapping) or not expected:
        return Outcome(file, name, ("no expected outputs",))
    tolerance = float(raw.get("tolerance", DEFAULT_TOLERANCE))
    try:
        case = parse_case(raw, book.variables)
        result = evaluate_case(book, case, outputs=list(expected))
    except (CaseError, RulebookError, ValueError) as exc:
        return Outcome(file, name, (f"error: {exc}",))
    failures: list[str] = []
    for output, want in expected.items():
        got = result.outputs[output]
        if book.variables[output].entity is PERSON:
            if not isinstance(want, Mapping):
                failures.append(f"{output}: give expected values by person_id, got {want!r}")
                continue
            for pid, value in want.items():
                actual = got.get(int(pid), "<no such person>")
                if not _same(actual, value, tolerance):
                    failures.append(f"{output}[{pid}]: expected {value!r}, got {actual!r}")
        elif not _same(got, want, tolerance):
            failures.append(f"{output}: expected {want!r}, got {got!r}")
    return Outcome(file, name, tuple(failures))


def run_path(path: Path, book: Rulebook | None = None) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for file in case_files(path):
        rulebook = book or load_rulebook(find_rulebook(file))
        outcomes.extend(run_case(rulebook, raw, str(file)) for raw in load_cases(file))
    return outcomes
