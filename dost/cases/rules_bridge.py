"""The cases app's door to the rules engine: one household, one period, one decision.

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
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

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
)
from dost.rules import load_rulebook as _load_rulebook
from dost.rules.explain import render_json, render_text

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
    people = persons.partition_by("household_id", as_dict=True, maintain_order=True)
    homes = households.partition_by("household_id", as_dict=True, maintain_order=True)
    no_people, no_home = persons.clear(), households.clear()
    for household_id in household_ids:
        shared.setdefault((period, household_id), (
            people.get((household_id,), no_people), homes.get((household_id,), no_home)
        ))


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

    Still one household at a time. Evaluating a chunk's households in one vectorised pass
    (`evaluate_population` asked for every variable of the explanation, then cut per
    household; the shape is the same for all) was measured ~2 ms of CPU a case faster, but on
    the events bench 7 of 536 decisions came out a cent apart from the one-household
    evaluation (a member sum rounded on the other side of half a cent: the two paths sum
    floats in a different order). A decision must not depend on how it was batched, so this
    waits until the engine's two paths agree to the cent (docs/performance.md, issue #4).
    """
    answers: list[RulesOutcome | ValidationError] = []
    for item in items:
        try:
            answers.append(evaluate_for_case(
                service=item.service, household_id=item.household_id,
                applicant_id=item.applicant_id, period=item.period,
            ))
        except ValidationError as error:
            answers.append(error)
    return answers


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
