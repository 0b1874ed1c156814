"""The pension calculator: when the right to an old-age pension arises and what it would pay.

Read from the country's rulebook, never restated here: the retirement-age schedule, the
record and capital needed, and the amount formula are the rulebook's parameters and its
`old_age_pension_right` / `old_age_pension_amount` outputs (Azerbaijan: Law "On labour
pensions", arts. 6-1, 7 and 10). A country whose rulebook has no old-age pension (Uzbekistan,
today) gets `available() is False` and the page says so.

The rulebook works in months: a person has reached the age in a month when their age in
completed months on its first day is at least the retirement age in force that day. The
calculator walks the months from today to find the first such month, then evaluates the
rulebook for that month with the record and capital as they are today (what the person
would get if nothing more were paid in).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from dost.rules import Period, Rulebook, evaluate_case, parse_case
from dost.rules import load_rulebook as _load_rulebook

AGE = {"M": "pension.retirement_age_men", "F": "pension.retirement_age_women"}
RECORD_YEARS = "pension.record_years_for_right"
MINIMUM = "pension.minimum"
CAPITAL_MONTHS = "pension.capital_months_for_right"
PAYMENT_MONTHS = "pension.expected_payment_months"
OUTPUTS = ("old_age_pension_right", "old_age_pension_amount")
HORIZON_MONTHS = 100 * 12  # nobody waits longer than this for the right


def rulebook(country: str) -> Rulebook:
    return _load_rulebook(country)


def available(country: str) -> bool:
    book = rulebook(country)
    names = (*AGE.values(), RECORD_YEARS, MINIMUM, CAPITAL_MONTHS, PAYMENT_MONTHS)
    return all(n in book.parameters for n in names) and all(o in book.variables for o in OUTPUTS)


def age_in_months(birth: dt.date, on: dt.date) -> int:
    """Completed months of age on `on`, as the rulebook counts them (dost.rules.dates)."""
    months = (on.year - birth.year) * 12 + (on.month - birth.month)
    return months - (1 if birth.day > on.day else 0)


def _first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _add_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass(frozen=True)
class PensionEstimate:
    right_from: dt.date  # first day of the first month the age is reached
    already: bool  # the age was reached on or before this month
    age_months: int  # age then, in completed months
    retirement_age_months: int  # the age in force then
    record_years_needed: int
    record_years: Decimal
    capital_needed: Decimal  # minimum pension × months, at the minimum in force then
    capital: Decimal
    has_right: bool  # age, and record or capital, as the rulebook decides
    amount: Decimal  # monthly, 0 when there is no right
    minimum: Decimal
    currency: str
    citations: dict[str, str]  # parameter -> citation

    @property
    def record_sufficient(self) -> bool:
        return self.record_years >= self.record_years_needed

    @property
    def capital_sufficient(self) -> bool:
        return self.capital >= self.capital_needed


def _value(book: Rulebook, name: str, day: dt.date) -> float:
    dated = book.parameters[name].at(day)
    if dated is None:  # before the schedule's first date: its first value is the oldest known
        dated = book.parameters[name].values[0]
    value = dated.value
    assert isinstance(value, (int, float))
    return float(value)


def estimate(
    *, country: str, birth_date: dt.date, sex: str, record_years: Decimal, capital: Decimal,
    today: dt.date,
) -> PensionEstimate:
    book = rulebook(country)
    month = _first_of_month(today)
    already = age_in_months(birth_date, month) >= _value(book, AGE[sex], month)
    for _ in range(HORIZON_MONTHS):
        if age_in_months(birth_date, month) >= _value(book, AGE[sex], month):
            break
        month = _add_month(month)
    record_months = int(record_years * 12)
    case = parse_case(
        {"persons": [{"person_id": 1, "role": "head", "sex": sex,
                      "birth_date": birth_date.isoformat(),
                      "insurance_record_months": record_months,
                      "pension_capital": float(capital)}]},
        book.variables,
    )
    result = evaluate_case(book, case, Period.parse(f"{month:%Y-%m}"), list(OUTPUTS))
    minimum = Decimal(str(_value(book, MINIMUM, month))).quantize(Decimal("0.01"))
    return PensionEstimate(
        right_from=month,
        already=already,
        age_months=age_in_months(birth_date, month),
        retirement_age_months=int(_value(book, AGE[sex], month)),
        record_years_needed=int(_value(book, RECORD_YEARS, month)),
        record_years=record_years,
        capital_needed=minimum * Decimal(str(_value(book, CAPITAL_MONTHS, month))),
        capital=capital,
        has_right=bool(result.outputs["old_age_pension_right"][1]),
        amount=Decimal(str(result.outputs["old_age_pension_amount"][1])).quantize(
            Decimal("0.01")
        ),
        minimum=minimum,
        currency=book.currency,
        citations={
            name: book.parameters[name].citation
            for name in (AGE[sex], RECORD_YEARS, MINIMUM, CAPITAL_MONTHS, PAYMENT_MONTHS)
        },
    )
