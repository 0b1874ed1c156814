"""The cases app's door to the rules engine: one household, one period, one decision (or a
chunk's decisions from one vectorised evaluation, `evaluate_for_cases`, to the same cent).

The registry exports the household's snapshot (`dost.registry.snapshot.period_snapshot` with
`household_ids`), the engine evaluates the service's `rule_outputs` for it with an explanation,
and this module turns the result into what a `Decision` stores: the outcome, the amount, the
reason codes, the explanation, and the parameter values used.

The explanation is stored in two frozen parts (`dost.rules.explain`): its shape — the tree,
parameter values with dates and citations, labels and words in every language — once per
rulebook version, period and outputs (`ExplanationShape`, keyed by the SHA-256 of its JSON), and
the household's own values with each decision. Readers render the text or the tree in their
language from the two (`cases.selectors.decision_explanation_text`).

How outputs decide a service (by their type in the rulebook):
- every BOOL output must be true for an approval (e.g. `tssa_eligible`);
- without a BOOL output, a positive MONEY output approves;
- the first MONEY output is the amount; CODES outputs are refusal reasons (`tssa_refusal_reasons`);
- a person-level output is read for the person `applicant_id` names: the case's beneficiary
  (`Case.beneficiary_or_applicant_id`: a newborn, a deceased), which is the applicant unless
  the case names another.
A means test is not a reason code in the rulebook (TSSA's `tssa_refusal_reasons` lists the
property and behaviour grounds): MEANS_TESTS names, per refusal ground, the two variables of
the explanation that decide it (`income`: average income ≥ need threshold), so a refusal lists
that ground too when it applies, next to the others. A refusal with no reason at all gets the
first of FALLBACK_REASONS the service's passport lists.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

import numpy as np
import polars as pl
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dost.catalog.models import Service
from dost.registry.snapshot import period_snapshot
from dost.rules import (
    BOOL,
    CODES,
    MONEY,
    PERSON,
    Case,
    Explanation,
    Period,
    Rulebook,
    evaluate_case,
    evaluate_population,
)
from dost.rules import load_rulebook as _load_rulebook
from dost.rules.explain import plain, render_json, render_text

LANGUAGES: tuple[str, ...] = ("az", "uz", "ru", "en")
FALLBACK_REASONS: tuple[str, ...] = ("income", "not_eligible")
MEANS_TESTS: dict[str, tuple[str, str]] = {
    "income": ("tssa_average_income", "tssa_need_threshold"),
}

MSG_NO_RULE_OUTPUTS = _("The service %(service)s is not decided by the rules.")
MSG_UNKNOWN_OUTPUT = _(
    "The service %(service)s names the rule output “%(output)s”, which the rulebook "
    "“%(rulebook)s” does not have."
)
MSG_NOT_IN_PERIOD = _(
    "Household %(household)s has no members in the registry for %(period)s: the rules have "
    "nothing to evaluate."
)


@dataclass(frozen=True)
class RulesOutcome:
    approved: bool
    amount: Decimal | None
    reason_codes: tuple[str, ...]
    outputs: dict[str, Any]
    shape: ExplanationShapeData
    explanation_values: dict[str, Any]  # the household's values (`Explanation.values`)
    parameters: dict[str, Any]  # parameter name -> value, unit, valid_from, citation
    rulebook: str
    rulebook_version: str
    currency: str

    def explanation_text(self, language: str) -> str:
        return render_text(self.shape.content, self.explanation_values, language)

    def explanation_tree(self, language: str) -> dict[str, Any]:
        return render_json(self.shape.content, self.explanation_values, language)

    def explained(self, variable: str, person_id: int | None = None) -> Any:
        """The value of a variable of the explanation (for `person_id` if per person)."""
        value = self.explanation_values["values"].get(variable)
        if isinstance(value, list) and person_id is not None:
            persons = self.explanation_values["persons"]
            return value[persons.index(person_id)] if person_id in persons else None
        return value


@dataclass(frozen=True)
class ExplanationShapeData:
    """An explanation's shape (`Explanation.shape`), its digest and the parameters it cites."""

    digest: str
    content: dict[str, Any]
    parameters: dict[str, Any]


# The shape of a plan's explanations, made once per process: (rulebook, version, reform,
# period, outputs) -> shape. The digest still names the content, not this key.
_shapes: dict[tuple[str, str, str | None, str, tuple[str, ...]], ExplanationShapeData] = {}


def shape_of(explanation: Explanation, outputs: tuple[str, ...]) -> ExplanationShapeData:
    key = (explanation.rulebook, explanation.version, explanation.reform, explanation.period,
           outputs)
    found = _shapes.get(key)
    if found is None:
        content = explanation.shape()
        # Canonical JSON: the same content gives the same digest in every process.
        text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        found = ExplanationShapeData(
            digest=hashlib.sha256(text.encode()).hexdigest(), content=content,
            parameters=_parameters_used(content),
        )
        _shapes[key] = found
    return found


@cache
def rulebook_for(country: str) -> Rulebook:
    """The country's rulebook (loaded once per process by the engine; remembered here too, as
    the engine's own cache checks the file system on every call, thousands per chunk)."""
    return _load_rulebook(country)


Frames = tuple[pl.DataFrame, pl.DataFrame]
_shared_snapshots: ContextVar[dict[tuple[str, int], Frames] | None] = ContextVar(
    "shared_snapshots", default=None
)


@contextmanager
def snapshots_shared() -> Iterator[None]:
    """Inside the block, each household's snapshot of a period is exported once and reused by
    every evaluation.

    Only for a caller that writes nothing to the registry inside the block (the proactive engine
    handling one event, in one transaction, may open several cases for the same household):
    the export is most of the cost of deciding a case, and would be the same each time.
    """
    if _shared_snapshots.get() is not None:
        yield  # nested in an outer block: share its snapshots
        return
    token = _shared_snapshots.set({})
    try:
        yield
    finally:
        _shared_snapshots.reset(token)


def snapshots_preload(
    period: str, persons: pl.DataFrame, households: pl.DataFrame, household_ids: Iterable[int]
) -> None:
    """Inside `snapshots_shared`, take the snapshot of several households at once (an export
    of `household_ids` for `period`) as each one's own: the rows of a household are the same
    in a many-household export as in its own (`period_snapshot`), and a household without
    members in the month gets the same empty frames. Does nothing outside such a block."""
    shared = _shared_snapshots.get()
    if shared is None:
        return
    people, homes = _by_household(persons), _by_household(households)
    no_people, no_home = persons.clear(), households.clear()
    for household_id in household_ids:
        shared.setdefault((period, household_id), (
            people.get(household_id, no_people), homes.get(household_id, no_home)
        ))


def _by_household(frame: pl.DataFrame) -> dict[int, pl.DataFrame]:
    """Each household's rows, in their order. An export lists each household's rows together
    (sorted by household): then each is a zero-copy slice, where `partition_by` costs a query
    per household (~40 µs; thousands per chunk of events)."""
    keys = frame.get_column("household_id")
    if not keys.is_sorted():
        parts = frame.partition_by("household_id", as_dict=True, maintain_order=True)
        return {int(key[0]): part for key, part in parts.items()}
    ids = keys.to_numpy()
    starts = [0, *(np.flatnonzero(ids[1:] != ids[:-1]) + 1).tolist(), len(ids)]
    return {
        int(ids[start]): frame.slice(start, end - start)
        for start, end in itertools.pairwise(starts)
        if end > start
    }


def _snapshot_frames(period: str, household_id: int) -> Frames:
    shared = _shared_snapshots.get()
    if shared is not None and (period, household_id) in shared:
        return shared[(period, household_id)]
    snapshot = period_snapshot(period, household_ids=[household_id])
    frames = (snapshot.persons, snapshot.households)
    if shared is not None:
        shared[(period, household_id)] = frames
    return frames


def _parameters_used(shape: dict[str, Any]) -> dict[str, Any]:
    """Every parameter the explanation's shape cites, once, by name (in the tree's order)."""
    found: dict[str, Any] = {}

    def walk(node: dict[str, Any]) -> None:
        for used in node.get("parameters") or ():
            found.setdefault(used["name"], {
                "value": used["value"], "unit": used["unit"],
                "valid_from": used["valid_from"], "citation": used["citation"],
            })
        for child in node.get("inputs") or ():
            walk(child)

    for root in shape["roots"]:
        walk(root)
    return found


def _money(value: Any) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _checked_outputs(service: Service) -> tuple[Rulebook, list[str]]:
    book = rulebook_for(service.country)
    outputs = [str(o) for o in service.rule_outputs]
    if not outputs:
        raise ValidationError(MSG_NO_RULE_OUTPUTS % {"service": service.code}, code="no_rules")
    for name in outputs:
        if name not in book.variables:
            raise ValidationError(
                MSG_UNKNOWN_OUTPUT
                % {"service": service.code, "output": name, "rulebook": book.name},
                code="unknown_output",
            )
    return book, outputs


def _frames_of(period: str, household_id: int) -> Frames:
    persons, households = _snapshot_frames(period, household_id)
    if persons.height == 0 or households.height == 0:
        raise ValidationError(
            MSG_NOT_IN_PERIOD % {"household": household_id, "period": period},
            code="not_in_period",
        )
    return persons, households


def evaluate_for_case(
    *, service: Service, household_id: int, applicant_id: int, period: str
) -> RulesOutcome:
    """Evaluate the service's rule outputs for one household and turn them into an outcome."""
    book, outputs = _checked_outputs(service)
    persons, households = _frames_of(period, household_id)
    result = evaluate_case(
        book, Case(persons=persons, household=households), Period.parse(period), outputs,
        explain=True,
    )
    assert result.explanation is not None
    return _outcome(
        service, book, outputs, result.outputs, applicant_id,
        shape_of(result.explanation, tuple(outputs)), result.explanation.values(),
    )


@dataclass(frozen=True)
class CaseToDecide:
    service: Service
    household_id: int
    applicant_id: int
    period: str


def evaluate_for_cases(items: Sequence[CaseToDecide]) -> list[RulesOutcome | ValidationError]:
    """`evaluate_for_case` for many cases: one answer per item, in order, the outcome or the
    ValidationError it raised.

    The items of one service and month are evaluated in one vectorised pass over their
    households (`evaluate_population`, asked for every variable of the explanation, then cut
    per household). The explanation's shape is the same for all of them: it is taken from
    the first household's own evaluation (`evaluate_case`). The two paths give the same
    values to the cent: the engine rounds money sums to the cent once added and rounds
    outputs at the decimal half cent (docs/rules.md, Money), so a decision does not depend
    on how it was batched (docs/performance.md, issue #4).
    """
    answers: list[RulesOutcome | ValidationError | None] = [None] * len(items)
    groups: dict[tuple[int, str], list[int]] = {}
    for index, item in enumerate(items):
        groups.setdefault((item.service.pk, item.period), []).append(index)
    for indexes in groups.values():
        try:
            for index, outcome in _evaluate_group([items[i] for i in indexes], indexes):
                answers[index] = outcome
        except ValidationError as error:  # the service itself: every item of the group
            for index in indexes:
                answers[index] = error
    return [a for a in answers if a is not None]


def _evaluate_group(
    items: Sequence[CaseToDecide], indexes: Sequence[int]
) -> list[tuple[int, RulesOutcome | ValidationError]]:
    """The cases of one service and period, decided from one evaluation of their households."""
    service, period = items[0].service, items[0].period
    book, outputs = _checked_outputs(service)
    answers: list[tuple[int, RulesOutcome | ValidationError]] = []
    frames: dict[int, Frames] = {}
    pending: list[tuple[int, CaseToDecide]] = []
    for index, item in zip(indexes, items, strict=True):
        try:
            if item.household_id not in frames:
                frames[item.household_id] = _frames_of(period, item.household_id)
        except ValidationError as error:
            answers.append((index, error))
            continue
        pending.append((index, item))
    if not pending:
        return answers
    # One household's own evaluation: the explanation's shape and which variables it shows.
    first = pending[0][1].household_id
    persons, households = frames[first]
    result = evaluate_case(
        book, Case(persons=persons, household=households), Period.parse(period), outputs,
        explain=True,
    )
    assert result.explanation is not None
    shape = shape_of(result.explanation, tuple(outputs))
    names = list(result.explanation.values()["values"])
    wanted = list(dict.fromkeys([*outputs, *names]))
    # Households in key order, each one's members as its own export lists them: the runs the
    # engine aggregates without hashing (`dost.rules.evaluate.runs_of`).
    ids = sorted(frames)
    all_persons = pl.concat([frames[h][0] for h in ids], how="vertical_relaxed")
    all_homes = pl.concat([frames[h][1] for h in ids], how="vertical_relaxed")
    people_lf, homes_lf = evaluate_population(
        book, Period.parse(period), all_persons, all_homes, wanted
    )
    people, homes = pl.collect_all([people_lf, homes_lf])
    person_names = [n for n in wanted if book.variables[n].entity is PERSON]
    home_names = [n for n in wanted if book.variables[n].entity is not PERSON]
    by_person = {row[0]: row[1:] for row in people.select(
        "person_id", *person_names).iter_rows()}
    by_home = {row[0]: row[1:] for row in homes.select("household_id", *home_names).iter_rows()}
    for index, item in pending:
        members = frames[item.household_id][0].get_column("person_id").to_list()
        home = by_home[item.household_id]
        values: dict[str, Any] = {}
        for k, name in enumerate(home_names):
            values[name] = _jsonable_value(home[k])
        for k, name in enumerate(person_names):
            values[name] = {pid: _jsonable_value(by_person[pid][k]) for pid in members}
        explained = {
            "household_id": item.household_id,
            "persons": members if any(n in person_names for n in names) else [],
            "values": {
                name: [plain(values[name][pid]) for pid in members]
                if isinstance(values[name], dict) else plain(values[name])
                for name in names
            },
        }
        answers.append((index, _outcome(
            service, book, outputs, {name: values[name] for name in outputs}, item.applicant_id,
            shape, explained,
        )))
    return answers


def _jsonable_value(value: Any) -> Any:
    """As `evaluate_case` gives a value (dates as ISO text)."""
    return value.isoformat() if hasattr(value, "isoformat") else value


def _outcome(
    service: Service, book: Rulebook, outputs: list[str], results: dict[str, Any],
    applicant_id: int, shape: ExplanationShapeData, household_values: dict[str, Any],
) -> RulesOutcome:
    def value(name: str) -> Any:
        raw = results[name]
        if book.variables[name].entity is PERSON and isinstance(raw, dict):
            return raw.get(applicant_id)
        return raw

    kinds = {name: book.variables[name].vtype for name in outputs}
    bools = [bool(value(n)) for n in outputs if kinds[n] is BOOL]
    money = [n for n in outputs if kinds[n] is MONEY]
    amount = _money(value(money[0])) if money else None
    approved = all(bools) if bools else bool(amount and amount > 0)
    codes: list[str] = []
    for name in outputs:
        if kinds[name] is CODES:
            codes.extend(str(c) for c in value(name) or () if str(c) not in codes)
    if not approved:
        grounds = {str(g.get("code")) for g in service.refusal_grounds}
        values = household_values["values"]
        for code, (amount_var, limit_var) in MEANS_TESTS.items():
            # Household variables: one value each (a person variable's list never applies).
            above, limit = values.get(amount_var), values.get(limit_var)
            if isinstance(above, list) or isinstance(limit, list):
                continue
            applies = above is not None and limit is not None and float(above) >= float(limit)
            if applies and code in grounds and code not in codes:
                codes.insert(0, code)
        if not codes:
            codes = [next((c for c in FALLBACK_REASONS if c in grounds), FALLBACK_REASONS[-1])]
    return RulesOutcome(
        approved=approved,
        amount=amount if approved else None,
        reason_codes=() if approved else tuple(codes),
        outputs={
            name: (
                {str(k): _jsonable(v) for k, v in raw.items()} if isinstance(raw, dict)
                else _jsonable(raw)
            )
            for name, raw in results.items()
        },
        shape=shape,
        explanation_values=household_values,
        parameters=shape.parameters,
        rulebook=book.name,
        rulebook_version=book.version,
        currency=book.currency,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value
