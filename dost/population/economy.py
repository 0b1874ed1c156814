"""Disabilities, statuses, work, contracts, monthly incomes, insurance records and job offers.

Everything is drawn per chunk on arrays. Facts come out as Polars frames keyed by the chunk-local
person (`person`) or household (`household`) index, dates as day numbers and months as month
indexes (`calendar`); `output` turns them into the import file format.

Why the structure: the rules read 12 months of incomes, wage income tied to contracts, pensions
from the retirement age, insured months from contracts, exclusion statuses, disability on the
first day of a month and refused job offers. Each of those is generated from the same underlying
state, so they agree with one another (a conscript has no wage; a pension starts the month after
the retirement age; a redundancy is followed by a jobseeker registration and benefit).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from dost.population.calendar import (
    DAYS_PER_YEAR,
    NO_DATE,
    REFERENCE_DAY,
    BoolArray,
    FloatArray,
    IntArray,
    add_years,
    day_in_month,
    day_of,
    first_day_of_month,
    month_of,
)
from dost.population.demography import CHILD, HEAD, SPOUSE, WINDOW_START_DAY, Households, Persons
from dost.population.profiles import (
    FIRST_MONTH_INDEX,
    LAST_MONTH_INDEX,
    REFERENCE_MONTH_INDEX,
    CountryProfile,
    month_index,
)

INCOME_TYPES = ("wage", "pension", "benefit", "alimony", "property", "plot", "other")
WAGE, PENSION, BENEFIT, ALIMONY, PROPERTY, PLOT, OTHER = range(7)
STATUS_KINDS = ("conscript", "state_care", "imprisoned", "wanted", "abroad", "jobseeker")
CONSCRIPT, STATE_CARE, IMPRISONED, WANTED, ABROAD, JOBSEEKER = range(6)
TERMINATION_REASONS = (
    "employee", "agreement", "redundancy", "dismissal", "end_of_term", "retirement", "death",
)
NO_REASON = -1
EMPLOYEE, AGREEMENT, REDUNDANCY, DISMISSAL, END_OF_TERM, RETIREMENT, DEATH = range(7)
MONTH_2026 = month_index(2026, 1)
INSURANCE_DATES = (day_of(dt.date(2025, 1, 1)), day_of(dt.date(2026, 1, 1)))


@dataclass
class Economy:
    frames: dict[str, pl.DataFrame]
    disability_group_now: IntArray
    household_income_12m: FloatArray


def _active_now(start: IntArray, end: IntArray) -> BoolArray:
    result: BoolArray = (start <= REFERENCE_DAY) & ((end == NO_DATE) | (end > REFERENCE_DAY))
    return result


def _uniform_days(rng: np.random.Generator, low: IntArray, high: IntArray) -> IntArray:
    span = np.maximum(high - low, 0)
    result: IntArray = low + np.floor(rng.random(len(low)) * (span + 1)).astype(np.int64)
    return result


class _Spans:
    """Monthly amounts per person over month ranges, expanded to rows at the end."""

    def __init__(self) -> None:
        self.person: list[IntArray] = []
        self.first: list[IntArray] = []
        self.last: list[IntArray] = []
        self.amount: list[FloatArray] = []
        self.kind: list[IntArray] = []

    def add(self, kind: int, person: IntArray, first: IntArray, last: IntArray,
            amount: FloatArray) -> None:
        first = np.maximum(first, FIRST_MONTH_INDEX)
        last = np.minimum(last, LAST_MONTH_INDEX)
        keep = first <= last
        self.person.append(person[keep])
        self.first.append(first[keep])
        self.last.append(last[keep])
        self.amount.append(amount[keep])
        self.kind.append(np.full(int(keep.sum()), kind, dtype=np.int64))

    def rows(self, rng: np.random.Generator, raise_2026: float) -> pl.DataFrame:
        person = np.concatenate(self.person)
        first = np.concatenate(self.first)
        last = np.concatenate(self.last)
        amount = np.concatenate(self.amount)
        kind = np.concatenate(self.kind)
        lengths = last - first + 1
        offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
        total = int(lengths.sum())
        span = np.repeat(np.arange(len(lengths)), lengths)
        month = first[span] + (np.arange(total) - offsets[span])
        row_kind = kind[span]
        value = amount[span]
        # Indexation from January 2026 (wages stay as the contract says).
        value[(month >= MONTH_2026) & (row_kind != WAGE)] *= raise_2026
        # Informal income varies month to month and some months bring nothing.
        informal = np.flatnonzero(row_kind == OTHER)
        value[informal] *= rng.uniform(0.6, 1.4, len(informal))
        keep = np.ones(total, dtype=np.bool_)
        keep[informal[rng.random(len(informal)) < 0.12]] = False
        return pl.DataFrame(
            {
                "person": person[span][keep],
                "month": month[keep],
                "type": row_kind[keep],
                "amount": np.round(value[keep], 2),
            }
        )


def _household_income_12m(incomes: pl.DataFrame, household: IntArray,
                          n_households: int) -> FloatArray:
    month = incomes["month"].to_numpy()
    in_last_year = (month >= REFERENCE_MONTH_INDEX - 12) & (month < REFERENCE_MONTH_INDEX)
    people = incomes["person"].to_numpy()[in_last_year]
    return np.bincount(household[people], weights=incomes["amount"].to_numpy()[in_last_year],
                       minlength=n_households)


def _lognormal(rng: np.random.Generator, mean: FloatArray | float, sigma: float,
               size: int) -> FloatArray:
    return np.asarray(mean) * rng.lognormal(-sigma * sigma / 2.0, sigma, size)


def generate_economy(
    *, rng: np.random.Generator, profile: CountryProfile, households: Households,
    persons: Persons, employer_count: int,
) -> Economy:
    n = len(persons)
    age = persons.age
    male = persons.male
    alive = persons.alive
    hh = persons.household
    poor = households.poor[hh]
    urban = households.urban[hh]
    adult_birthday = add_years(persons.birth, 18.0)
    month_of_death = np.where(alive, LAST_MONTH_INDEX, month_of(np.maximum(persons.death, 0)))

    # --- disability determinations ---
    disability_prob = np.select([age < 18, age < 40, age < 60], [0.035, 0.06, 0.12], 0.2)
    disabled = rng.random(n) < disability_prob
    d_idx = np.flatnonzero(disabled)
    band = rng.choice(4, size=len(d_idx), p=(0.08, 0.5, 0.3, 0.12))
    low = np.array([10, 31, 61, 81])[band]
    high = np.array([30, 60, 80, 100])[band]
    percent = rng.integers(low, high + 1)
    group = np.where(band == 0, 0, 4 - band)
    d_age = age[d_idx]
    child = d_age < 18
    group = np.where(child, 0, group)
    since = REFERENCE_DAY - np.floor(rng.random(len(d_idx)) * np.minimum(d_age, 12.0)
                                     * DAYS_PER_YEAR).astype(np.int64)
    valid_from = np.maximum(since, persons.birth[d_idx] + 30)
    review = add_years(valid_from, rng.uniform(1.0, 5.0, len(d_idx)))
    # A review date that has passed is mostly renewed: push it a few years on.
    renewed = (review <= REFERENCE_DAY) & (rng.random(len(d_idx)) < 0.8)
    review = np.where(renewed, add_years(review, rng.uniform(2.0, 6.0, len(d_idx))), review)
    valid_to = np.where(child, adult_birthday[d_idx],
                        np.where((group == 1) | (d_age >= 60), NO_DATE, review))
    disability_group_now = np.zeros(n, dtype=np.int64)
    valid_now = _active_now(valid_from, valid_to)
    disability_group_now[d_idx[valid_now]] = np.where(group[valid_now] == 0, 4, group[valid_now])
    disabilities = pl.DataFrame(
        {
            "person": d_idx,
            "impairment_percent": percent,
            "group": group,
            "valid_from": valid_from,
            "valid_to": valid_to,
        }
    )
    severe = (disability_group_now == 1) | (disability_group_now == 2)

    # --- statuses that exclude from the family size ---
    s_person: list[IntArray] = []
    s_kind: list[IntArray] = []
    s_from: list[IntArray] = []
    s_to: list[IntArray] = []

    def status(kind: int, mask: BoolArray, start: IntArray, end: IntArray) -> None:
        idx = np.flatnonzero(mask)
        s_person.append(idx)
        s_kind.append(np.full(len(idx), kind, dtype=np.int64))
        s_from.append(start[idx])
        s_to.append(end[idx])

    service_years = profile.conscript_months / 12.0
    conscript = (alive & male & (age >= 18.0) & (age < 18.0 + service_years + 0.4)
                 & (rng.random(n) < profile.conscript_share) & (severe == 0))
    c_from = add_years(adult_birthday, rng.uniform(0.0, 0.4, n))
    conscript &= c_from <= REFERENCE_DAY
    status(CONSCRIPT, conscript, c_from, add_years(c_from, service_years))

    adult = age >= 20
    prison = alive & adult & (age < 60) & (rng.random(n) < np.where(male, 0.004, 0.0004))
    p_from = np.maximum(REFERENCE_DAY - np.floor(rng.uniform(0, 6, n) * DAYS_PER_YEAR)
                        .astype(np.int64), adult_birthday)
    status(IMPRISONED, prison, p_from, add_years(p_from, rng.uniform(1.0, 10.0, n)))

    abroad = (alive & adult & (age < 50) & ~prison & ~conscript
              & (rng.random(n) < np.where(male, profile.abroad_men, profile.abroad_women)))
    a_from = np.maximum(REFERENCE_DAY - np.floor(rng.uniform(0, 6, n) * DAYS_PER_YEAR)
                        .astype(np.int64), adult_birthday)
    returned = rng.random(n) < 0.15
    a_to = np.where(returned, _uniform_days(rng, a_from, np.full(n, REFERENCE_DAY)), NO_DATE)
    status(ABROAD, abroad, a_from, a_to)

    care = alive & (rng.random(n) < np.where(age < 18, 0.0015, np.where(age >= 75, 0.004, 0.0)))
    care_from = np.maximum(REFERENCE_DAY - np.floor(rng.uniform(0, 5, n) * DAYS_PER_YEAR)
                           .astype(np.int64), persons.birth + 1)
    status(STATE_CARE, care, care_from, np.full(n, NO_DATE, dtype=np.int64))

    wanted = alive & (age >= 18) & (age < 50) & (rng.random(n) < 0.0002) & ~prison
    w_from = REFERENCE_DAY - rng.integers(30, 900, n)
    status(WANTED, wanted, w_from, np.full(n, NO_DATE, dtype=np.int64))

    excluded_now = np.zeros(n, dtype=np.bool_)
    for idx, start, end in zip(s_person, s_from, s_to, strict=True):
        excluded_now[idx[_active_now(start, end)]] = True

    # --- retirement and pensions ---
    birth_month = month_of(persons.birth)
    change = month_index(*profile.women_retirement_change)
    women_months = np.where(
        birth_month + profile.women_retirement_months >= change,
        profile.women_retirement_months_later,
        profile.women_retirement_months,
    )
    retirement_months = np.where(male, profile.men_retirement_months, women_months)
    pension_start = birth_month + retirement_months + 1
    pensioner_now = pension_start <= REFERENCE_MONTH_INDEX

    # --- who works now ---
    active = alive & ~excluded_now & (age >= 16)
    student = active & (((age < 19) & (rng.random(n) < 0.9))
                        | ((age >= 19) & (age < 23) & (rng.random(n) < 0.4)))
    p_formal = np.where(male, profile.formal_men, profile.formal_women)
    p_formal = p_formal * np.where(urban, 1.15, 0.85) * np.where(poor, 0.1, 1.0)
    p_formal = p_formal * np.where(severe, 0.3, 1.0) * np.where(age >= 55, 0.8, 1.0)
    p_formal = np.where(pensioner_now, np.where(age * 12 < retirement_months + 60, 0.1, 0.0),
                        p_formal)
    p_informal = np.where(male, profile.informal_men, profile.informal_women)
    p_informal = p_informal * np.where(pensioner_now, 0.15, 1.0) * np.where(poor, 0.6, 1.0)
    p_unemployed = np.where(pensioner_now, 0.0, profile.unemployed) * np.where(poor, 3.0, 1.0)
    u = rng.random(n)
    labour = active & ~student
    formal = labour & (u < p_formal)
    informal = labour & ~formal & (u < p_formal + p_informal)
    unemployed = labour & ~formal & ~informal & (u < p_formal + p_informal + p_unemployed)

    # --- employment contracts ---
    c_person: list[IntArray] = []
    c_start: list[IntArray] = []
    c_end: list[IntArray] = []
    c_reason: list[IntArray] = []
    c_wage: list[FloatArray] = []
    wage_mean = (profile.average_wage * np.where(urban, 1.2, 0.8)
                 * np.where(male, 1.12, 0.82))
    # Wages are round figures: to 10 AZN, to 10,000 UZS.
    wage_step = 10.0 if profile.currency == "AZN" else 10_000.0
    wage = np.maximum(
        profile.minimum_wage,
        np.round(_lognormal(rng, wage_mean, profile.wage_sigma, n) / wage_step) * wage_step,
    )

    def contract(mask: BoolArray, start: IntArray, end: IntArray, reason: IntArray,
                 amount: FloatArray) -> None:
        idx = np.flatnonzero(mask)
        c_person.append(idx)
        c_start.append(np.maximum(start[idx], adult_birthday[idx]))
        c_end.append(end[idx])
        c_reason.append(reason[idx])
        c_wage.append(np.maximum(amount[idx], profile.minimum_wage))

    none = np.full(n, NO_DATE, dtype=np.int64)
    no_reason = np.full(n, NO_REASON, dtype=np.int64)
    tenure = np.minimum(rng.exponential(6.0, n), np.maximum(age - 18.2, 0.1))
    current_start = REFERENCE_DAY - np.floor(tenure * DAYS_PER_YEAR).astype(np.int64)
    contract(formal, current_start, none, no_reason, wage)

    # Job changers: the current contract started in the window and a previous one ended before.
    previous_end = current_start - rng.integers(1, 90, n)
    changer = (formal & (current_start > WINDOW_START_DAY) & (rng.random(n) < 0.6)
               & (previous_end > adult_birthday + 60))
    previous_start = previous_end - np.floor(rng.exponential(3.0, n) * DAYS_PER_YEAR
                                             ).astype(np.int64) - 30
    contract(changer, previous_start, previous_end,
             rng.choice([EMPLOYEE, AGREEMENT, END_OF_TERM], size=n), wage * 0.92)

    # The recently unemployed lost a contract during the window.
    lost_end = _uniform_days(rng, np.full(n, WINDOW_START_DAY), np.full(n, REFERENCE_DAY - 20))
    lost = unemployed & (rng.random(n) < 0.5) & (lost_end > adult_birthday + 60)
    lost_start = lost_end - np.floor(rng.exponential(4.0, n) * DAYS_PER_YEAR).astype(np.int64) - 60
    lost_reason = rng.choice([REDUNDANCY, END_OF_TERM, EMPLOYEE, AGREEMENT, DISMISSAL], size=n,
                             p=(0.35, 0.25, 0.2, 0.1, 0.1))
    contract(lost, lost_start, lost_end, lost_reason, wage * 0.9)
    long_ago_end = WINDOW_START_DAY - np.floor(rng.uniform(0.1, 5.0, n) * DAYS_PER_YEAR
                                               ).astype(np.int64)
    long_ago = unemployed & ~lost & (rng.random(n) < 0.4) & (long_ago_end - 800 > adult_birthday)
    contract(long_ago, long_ago_end - 800, long_ago_end, lost_reason, wage * 0.85)

    # Retirement ends a contract the day before the pension month.
    pension_start_day = first_day_of_month(pension_start)
    retired = (alive & ~formal & (pension_start > FIRST_MONTH_INDEX)
               & pensioner_now & (rng.random(n) < 0.45))
    contract(retired, pension_start_day - 3000, pension_start_day - 1,
             np.full(n, RETIREMENT, dtype=np.int64), wage)

    # Death ends a contract.
    died_working = (~alive & (age >= 20) & (age * 12 < retirement_months)
                    & (rng.random(n) < 0.4))
    contract(died_working, persons.death - 2000, persons.death,
             np.full(n, DEATH, dtype=np.int64), wage)

    contracts = pl.DataFrame(
        {
            "person": np.concatenate(c_person),
            "employer": rng.integers(0, employer_count, sum(len(c) for c in c_person)),
            "start_date": np.concatenate(c_start),
            "end_date": np.concatenate(c_end),
            "termination_reason": np.concatenate(c_reason),
            "monthly_wage": np.concatenate(c_wage).round(2),
        }
    )

    # --- monthly incomes ---
    spans = _Spans()
    k_person = contracts["person"].to_numpy()
    k_start = contracts["start_date"].to_numpy()
    k_end = contracts["end_date"].to_numpy()
    first = month_of(k_start) + (day_in_month(k_start) > 15)
    last = np.where(k_end == NO_DATE, LAST_MONTH_INDEX,
                    month_of(np.maximum(k_end, 0)) - (day_in_month(np.maximum(k_end, 0)) < 15))
    spans.add(WAGE, k_person, first, np.minimum(last, month_of_death[k_person]),
              contracts["monthly_wage"].to_numpy())

    everyone = np.arange(n, dtype=np.int64)
    pension_amount = np.maximum(profile.minimum_pension,
                                _lognormal(rng, profile.average_pension, 0.3, n))
    has_pension = rng.random(n) < 0.95
    eligible = (pension_start <= LAST_MONTH_INDEX) & ~excluded_now
    spans.add(PENSION, everyone[eligible & has_pension], pension_start[eligible & has_pension],
              month_of_death[eligible & has_pension], pension_amount[eligible & has_pension])
    # Without an insurance record there is a social allowance instead of a pension.
    no_record = eligible & ~has_pension
    spans.add(BENEFIT, everyone[no_record], pension_start[no_record], month_of_death[no_record],
              np.full(int(no_record.sum()), profile.minimum_pension * 0.6))

    # Disability pensions (adults of working age) and allowances (children).
    # Paid from the month after the determination (a new one in the window starts a payment).
    determined = np.full(n, FIRST_MONTH_INDEX, dtype=np.int64)
    determined[d_idx] = month_of(valid_from) + 1
    disabled_adult = (disability_group_now >= 1) & (disability_group_now <= 3) & ~pensioner_now
    factor = np.select([disability_group_now == 1, disability_group_now == 2], [1.2, 1.0], 0.8)
    spans.add(PENSION, everyone[disabled_adult], determined[disabled_adult],
              np.minimum(pension_start, month_of_death)[disabled_adult] - 1,
              (profile.minimum_pension * factor)[disabled_adult])
    disabled_child = (disability_group_now == 4) & (age < 18)
    spans.add(BENEFIT, everyone[disabled_child], determined[disabled_child],
              month_of_death[disabled_child],
              np.full(int(disabled_child.sum()), profile.disability_allowance))

    informal_amount = _lognormal(rng, profile.informal_income
                                 * np.where(urban, 1.15, 0.85) * np.where(poor, 0.25, 1.0),
                                 0.55, n)
    informal_from = month_of(add_years(persons.birth, 16.0))
    spans.add(OTHER, everyone[informal], informal_from[informal], month_of_death[informal],
              informal_amount[informal])

    # Unemployment insurance: six months after a redundancy.
    redundancy = lost & (lost_reason == REDUNDANCY)
    lost_month = month_of(lost_end)
    spans.add(BENEFIT, everyone[redundancy], lost_month[redundancy] + 1,
              np.minimum(lost_month + 6, pension_start - 1)[redundancy],
              (wage * 0.9 * 0.6)[redundancy])

    head_of = households.start
    n_households = len(households)
    created_month = month_of(households.created)
    head_death = month_of_death[head_of]
    rural_plot = ~households.urban & ~households.poor & (rng.random(n_households) < 0.55)
    spans.add(PLOT, head_of[rural_plot], created_month[rural_plot], head_death[rural_plot],
              (profile.plot_income * rng.uniform(0.5, 1.6, n_households))[rural_plot])
    has_children = np.bincount(hh[persons.role == CHILD], minlength=n_households) > 0
    has_spouse = np.bincount(hh[persons.role == SPOUSE], minlength=n_households) > 0
    single_mother = ~male[head_of] & ~has_spouse & has_children
    alimony = single_mother & (rng.random(n_households) < 0.35)
    spans.add(ALIMONY, head_of[alimony], created_month[alimony], head_death[alimony],
              (profile.alimony * rng.uniform(0.6, 1.5, n_households))[alimony])
    rent = ~households.poor & (rng.random(n_households) < 0.03)
    spans.add(PROPERTY, head_of[rent], created_month[rent], head_death[rent],
              (profile.rent_income * rng.uniform(0.5, 2.0, n_households))[rent])

    incomes = spans.rows(rng, profile.raise_2026)
    household_income_12m = _household_income_12m(incomes, hh, n_households)

    # Households outside the poor tail earn enough in all: what the registry does not see as
    # wages or pensions shows up as other (self-employment, trade, remittance) income of the
    # head, up to a per-capita level drawn for the household. This is the calibration that puts
    # the share under the need line where the real programmes are.
    counted = alive & ~excluded_now
    members = np.bincount(hh[counted], minlength=n_households)
    target = np.maximum(
        _lognormal(rng, profile.need_line * 2.2, 0.5, n_households), profile.need_line * 1.2
    )
    shortfall = target * members - household_income_12m / 12.0
    topped = (~households.poor & (shortfall > 0) & alive[head_of] & counted[head_of])
    # Informal income skips about one month in eight and varies: scale so the year adds up.
    top_up = np.where(topped, shortfall / 0.88, 0.0) / profile.raise_2026
    # One row per person, month and type: a head with informal income gets the top-up on it.
    person_top_up = np.zeros(n, dtype=np.float64)
    person_top_up[head_of] = top_up
    raise_of_month = np.where(incomes["month"].to_numpy() >= MONTH_2026, profile.raise_2026, 1.0)
    income_person = incomes["person"].to_numpy()
    on_informal = (incomes["type"].to_numpy() == OTHER) & informal[income_person]
    incomes = incomes.with_columns(
        amount=np.round(incomes["amount"].to_numpy() + np.where(
            on_informal, person_top_up[income_person] * raise_of_month, 0.0), 2)
    )
    new_stream = topped & ~informal[head_of]
    extra = _Spans()
    extra.add(OTHER, head_of[new_stream], np.full(int(new_stream.sum()), FIRST_MONTH_INDEX),
              head_death[new_stream], top_up[new_stream])
    incomes = pl.concat([incomes, extra.rows(rng, profile.raise_2026)])
    household_income_12m = _household_income_12m(incomes, hh, n_households)

    # --- insurance records (as of 1 January 2025 and 2026) ---
    ever_insured = (np.isin(everyone, k_person) | pensioner_now
                    | (informal & (rng.random(n) < 0.4)))
    insured = alive & ever_insured & (age >= 20)
    i_idx = np.flatnonzero(insured)
    share = np.where(formal[i_idx], rng.uniform(0.3, 0.95, len(i_idx)),
                     rng.uniform(0.05, 0.5, len(i_idx)))
    working_years = np.where(pensioner_now[i_idx], retirement_months[i_idx] / 12.0 - 20.0,
                             age[i_idx] - 20.0)
    months_2026 = np.maximum(np.floor(working_years * 12.0 * share), 1).astype(np.int64)
    months_2025 = np.maximum(months_2026 - np.where(formal[i_idx], 12, 3), 0)
    capital_2026 = (months_2026 * profile.average_wage * 0.22
                    * rng.uniform(0.5, 1.5, len(i_idx))).round(2)
    insurance = pl.DataFrame(
        {
            "person": np.concatenate([i_idx, i_idx]),
            "as_of": np.repeat(np.array(INSURANCE_DATES, dtype=np.int64), len(i_idx)),
            "record_months": np.concatenate([months_2025, months_2026]),
            "pension_capital": np.concatenate([(capital_2026 * 0.85).round(2), capital_2026]),
        }
    )

    # --- registered jobseekers and their job offers ---
    seeker = unemployed & (rng.random(n) < profile.jobseeker_share_of_unemployed)
    seeker_from = np.where(lost, lost_end + rng.integers(1, 60, n),
                           REFERENCE_DAY - np.floor(rng.uniform(0.05, 3.0, n) * DAYS_PER_YEAR)
                           .astype(np.int64))
    seeker_from = np.minimum(np.maximum(seeker_from, add_years(persons.birth, 16.0)),
                             REFERENCE_DAY - 1)
    status(JOBSEEKER, seeker, seeker_from, np.full(n, NO_DATE, dtype=np.int64))
    seekers = np.flatnonzero(seeker)
    offers_each = rng.poisson(1.3, len(seekers))
    o_person = np.repeat(seekers, offers_each)
    o_low = np.maximum(seeker_from[o_person], WINDOW_START_DAY)
    offered_on = _uniform_days(rng, o_low, np.full(len(o_person), REFERENCE_DAY - 1))
    # At most one offer per person and day (the importer's natural key).
    _, first_of_day = np.unique(o_person * 100_000 + offered_on, return_index=True)
    once = np.zeros(len(o_person), dtype=np.bool_)
    once[first_of_day] = True
    o_person, offered_on = o_person[once], offered_on[once]
    job_offers = pl.DataFrame(
        {
            "person": o_person,
            "offered_on": offered_on,
            "employer": rng.integers(0, employer_count, len(o_person)),
            "suitable": rng.random(len(o_person)) < 0.92,
            "refused": rng.random(len(o_person)) < 0.15,
        }
    )

    statuses = pl.DataFrame(
        {
            "person": np.concatenate(s_person),
            "kind": np.concatenate(s_kind),
            "valid_from": np.concatenate(s_from),
            "valid_to": np.concatenate(s_to),
        }
    )
    return Economy(
        frames={
            "incomes": incomes,
            "contracts": contracts,
            "insurance": insurance,
            "disabilities": disabilities,
            "statuses": statuses,
            "job_offers": job_offers,
        },
        disability_group_now=disability_group_now,
        household_income_12m=household_income_12m,
    )


__all__ = ["HEAD", "INCOME_TYPES", "STATUS_KINDS", "TERMINATION_REASONS", "Economy",
           "generate_economy"]
