"""The benefit screener: a household described in a few answers, evaluated by the rulebook.

Nothing is stored: the answers travel between the pages as a signed token (`pack`/`unpack`),
are turned into one household case (`household_case`), and the country's rulebook evaluates
it for the current month with an explanation (`screen`), the same engine path as
`dost rules evaluate` and the cases app's decisions.

The questions are the inputs the screened benefits read (docs/calculators.md):
- Azerbaijan: TSSA (family size, income, vehicle, same-purpose properties, utilities, large
  purchases), the benefit for a child under one, the disability benefit, the benefit for the
  loss of the breadwinner;
- Uzbekistan: the child allowance and material assistance (per-capita income over 3 months).
Neither rulebook has regional parameters, so no region is asked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypedDict

from django.core import signing

from dost.portal.tools.formatting import money
from dost.rules import BOOL, CODES, MONEY, PERSON, Period, Rulebook, evaluate_case, parse_case
from dost.rules import load_rulebook as _load_rulebook

SALT = "dost.portal.tools.screener"
MAX_AGE = 2 * 3600  # seconds an answers token stays valid
MAX_MEMBERS = 12

# What the screener shows, per country: the output and, for some, the output listing the
# grounds that stop it (evaluated alongside so the refusal is explained in plain words).
BENEFITS: dict[str, tuple[str, ...]] = {
    "az": ("tssa_amount", "child_under_one_benefit", "disability_benefit",
           "breadwinner_loss_benefit"),
    "uz": ("child_allowance_total", "material_assistance"),
}
GROUNDS: dict[str, str] = {"tssa_amount": "tssa_refusal_reasons"}
# Income counted by each rulebook: months before the period (AZ: 12, UZ: 3).
INCOME_COLUMN: dict[str, tuple[str, int]] = {"az": ("income_12m", 12), "uz": ("income_3m", 3)}


class HouseholdAnswers(TypedDict, total=False):
    members: int
    vehicles: int
    properties: int
    utilities: str
    purchases: str


class PersonAnswers(TypedDict, total=False):
    role: str
    birth_date: str
    sex: str
    citizen: bool
    disability: int | None
    parent_died: bool
    wages: str
    pension: str
    other_income: str


class Answers(TypedDict):
    country: str
    household: HouseholdAnswers
    people: list[PersonAnswers]


def new_answers(country: str) -> Answers:
    return {"country": country, "household": {}, "people": []}


def pack(answers: Answers) -> str:
    return signing.dumps(answers, salt=SALT, compress=True)


def unpack(token: str, country: str) -> Answers | None:
    """The answers a token carries, or None when it is forged, stale or for another country."""
    try:
        raw = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(raw, dict) or raw.get("country") != country:
        return None
    answers: Answers = {
        "country": country,
        "household": dict(raw.get("household") or {}),  # type: ignore[typeddict-item]
        "people": list(raw.get("people") or []),
    }
    return answers


def next_person(answers: Answers) -> int | None:
    """Index of the first member still to describe, or None when every member is described."""
    wanted = int(answers["household"].get("members") or 0)
    have = len(answers["people"])
    return have if have < wanted else None


def monthly_income(person: PersonAnswers) -> Decimal:
    return sum(
        (Decimal(str(person.get(k) or 0)) for k in ("wages", "pension", "other_income")),
        Decimal(0),
    )


def household_case(answers: Answers, period: Period) -> dict[str, Any]:
    """The answers as the rules engine's case JSON (docs/snapshot.md columns)."""
    country = answers["country"]
    column, months = INCOME_COLUMN[country]
    persons: list[dict[str, Any]] = []
    for index, person in enumerate(answers["people"], start=1):
        row: dict[str, Any] = {
            "person_id": index,
            "role": person.get("role", "other"),
            "birth_date": person.get("birth_date"),
            # The screener asks for an average month; the rulebook counts the months before.
            column: float(monthly_income(person) * months),
        }
        if country == "az":
            row["sex"] = person.get("sex") or None
            row["citizenship"] = "AZ" if person.get("citizen", True) else "XX"
            row["disability_percent"] = person.get("disability")
            row["deceased_parents"] = 1 if person.get("parent_died") else 0
        persons.append(row)
    household: dict[str, Any] = {}
    if country == "az":
        answered = answers["household"]
        household = {
            "vehicles": int(answered.get("vehicles") or 0),
            "real_estate_same_purpose_max": int(answered.get("properties") or 0),
            "utilities_monthly": float(Decimal(str(answered.get("utilities") or 0))),
            "purchases_12m": float(Decimal(str(answered.get("purchases") or 0))),
        }
    return {"period": str(period), "household": household, "persons": persons}


@dataclass(frozen=True)
class Reason:
    label: str
    value: str


@dataclass(frozen=True)
class MemberAmount:
    member: int
    amount: Decimal


@dataclass(frozen=True)
class BenefitResult:
    name: str
    label: str
    amount: Decimal
    currency: str
    rule: str  # the formula in plain words
    reference: str
    reasons: list[Reason] = field(default_factory=list)
    grounds: list[str] = field(default_factory=list)  # refusal grounds that apply
    members: list[MemberAmount] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        return self.amount > 0


@dataclass(frozen=True)
class Screening:
    period: Period
    currency: str
    benefits: list[BenefitResult]
    explanation: str  # the engine's full explanation, in the language asked

    @property
    def total(self) -> Decimal:
        return sum((b.amount for b in self.benefits), Decimal(0))


def rulebook(country: str) -> Rulebook:
    return _load_rulebook(country)


def _money(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(Decimal("0.01"))


Words = dict[str, str]


def _shown(node: dict[str, Any], words: Words, currency: str, language: str) -> str:
    """A node's value in plain words: yes/no, money with its currency, labelled codes."""

    def one(value: Any) -> str:
        if value is None:
            return words["none"]
        if node["type"] == str(BOOL):
            return words["yes"] if value else words["no"]
        if node["type"] == str(MONEY):
            return money(value, currency, language)
        if node["type"] == str(CODES):
            labels = node.get("value_labels") or {}
            return ", ".join(labels.get(str(c), str(c)) for c in value) or words["none"]
        return str(value)

    if node["entity"] == str(PERSON) and isinstance(node["value"], dict):
        return "; ".join(
            words["member"].format(n=k) + ": " + one(v) for k, v in node["value"].items()
        )
    return one(node["value"])


def screen(answers: Answers, period: Period, language: str, words: Words) -> Screening:
    """Evaluate the screened benefits for the household described, with reasons in `language`.

    `words` holds the few words the explanation needs in the current language (yes, no,
    none, "member {n}"), translated by the caller.
    """
    country = answers["country"]
    book = rulebook(country)
    wanted = [*BENEFITS[country], *(GROUNDS[b] for b in BENEFITS[country] if b in GROUNDS)]
    case = parse_case(household_case(answers, period), book.variables)
    result = evaluate_case(book, case, period, wanted, explain=True)
    assert result.explanation is not None
    tree = {node["variable"]: node for node in result.explanation.to_json(language)["outputs"]}
    benefits: list[BenefitResult] = []
    for name in BENEFITS[country]:
        node = tree[name]
        raw = result.outputs[name]
        members: list[MemberAmount] = []
        if isinstance(raw, dict):
            members = [MemberAmount(int(k), _money(v)) for k, v in raw.items() if v]
            amount = sum((m.amount for m in members), Decimal(0))
        else:
            amount = _money(raw)
        grounds: list[str] = []
        if name in GROUNDS:
            codes = tree[GROUNDS[name]]
            labels = codes.get("value_labels") or {}
            grounds = [labels.get(str(c), str(c)) for c in codes["value"] or ()]
        reasons = [
            Reason(child["label"], _shown(child, words, book.currency, language))
            for child in node.get("inputs") or ()
        ]
        benefits.append(BenefitResult(
            name=name, label=node["label"], amount=amount, currency=book.currency,
            rule=node.get("formula") or "", reference=node["reference"], reasons=reasons,
            grounds=grounds, members=members,
        ))
    return Screening(
        period=period, currency=book.currency, benefits=benefits,
        explanation=result.explanation.to_text(language),
    )


def current_period(today: dt.date) -> Period:
    return Period.parse(f"{today:%Y-%m}")
