"""Country profiles: the numbers that make a synthetic population look like AZ or UZ.

Amounts are monthly, in the country's currency (AZN, UZS), at 2025 levels; `raise_2026` is the
January 2026 indexation applied to wages, pensions and informal income. The shares are rounded
public orders of magnitude (statistics committees, pension funds, labour ministries), tuned so
that the poor tail gives TSSA / low-income coverage in the range the real programmes have.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

# "Now" for the synthetic registry: ages, open statuses and latest facts refer to this day.
REFERENCE_DATE = dt.date(2026, 11, 15)
# Monthly incomes and utilities are generated for these months (inclusive), so that every period
# of 2026 has the 12 months before it.
FIRST_MONTH = (2025, 1)
LAST_MONTH = (2026, 12)


def month_index(year: int, month: int) -> int:
    """Months since year 0: easy arithmetic on `YYYY-MM` periods."""
    return year * 12 + month - 1


FIRST_MONTH_INDEX = month_index(*FIRST_MONTH)
LAST_MONTH_INDEX = month_index(*LAST_MONTH)
MONTH_COUNT = LAST_MONTH_INDEX - FIRST_MONTH_INDEX + 1
REFERENCE_MONTH_INDEX = month_index(REFERENCE_DATE.year, REFERENCE_DATE.month)


@dataclass(frozen=True)
class CountryProfile:
    country: str
    currency: str
    citizenship: str
    foreign_citizenships: tuple[str, ...]
    languages: tuple[str, ...]
    language_weights: tuple[float, ...]
    phone_prefixes: tuple[str, ...]
    # household sizes 1..len(weights)
    household_size_weights: tuple[float, ...]
    # retirement age in months; women's age rises to `women_retirement_months_later` for those
    # who reach the earlier age on or after `women_retirement_change`.
    men_retirement_months: int
    women_retirement_months: int
    women_retirement_months_later: int
    women_retirement_change: tuple[int, int]
    # money (monthly, 2025)
    minimum_wage: float
    average_wage: float
    wage_sigma: float
    minimum_pension: float
    average_pension: float
    informal_income: float
    plot_income: float
    child_benefit: float
    disability_allowance: float
    alimony: float
    rent_income: float
    raise_2026: float
    vehicle_value: float
    home_value: float
    utility_scale: float
    # labour market: shares of working-age persons
    formal_men: float
    formal_women: float
    informal_men: float
    informal_women: float
    unemployed: float
    jobseeker_share_of_unemployed: float
    abroad_men: float
    abroad_women: float
    conscript_share: float
    conscript_months: int
    # households with a car (before the poor get fewer)
    vehicle_share: float
    # share of households whose members have no income at all worth the name (the poor tail)
    poor_household_share: float
    # monthly per-capita line of the main means-tested benefit (TSSA need criterion 2026; UZ
    # minimum consumer expenditure 2026): households near it own fewer cars and flats
    need_line: float


AZ = CountryProfile(
    country="az",
    currency="AZN",
    citizenship="AZ",
    foreign_citizenships=("RU", "GE", "TR", "IR", "UA"),
    languages=("az", "ru", "en"),
    language_weights=(0.92, 0.07, 0.01),
    phone_prefixes=("+99450", "+99451", "+99455", "+99470", "+99477", "+99410"),
    household_size_weights=(0.08, 0.13, 0.15, 0.22, 0.20, 0.12, 0.06, 0.04),
    men_retirement_months=65 * 12,
    women_retirement_months=64 * 12 + 6,
    women_retirement_months_later=65 * 12,
    women_retirement_change=(2026, 7),
    minimum_wage=400.0,
    average_wage=1000.0,
    wage_sigma=0.5,
    minimum_pension=320.0,
    average_pension=430.0,
    informal_income=550.0,
    plot_income=250.0,
    child_benefit=75.0,
    disability_allowance=220.0,
    alimony=150.0,
    rent_income=400.0,
    raise_2026=1.08,
    vehicle_value=14000.0,
    home_value=70000.0,
    utility_scale=1.0,
    formal_men=0.42,
    formal_women=0.26,
    informal_men=0.42,
    informal_women=0.30,
    unemployed=0.06,
    jobseeker_share_of_unemployed=0.45,
    abroad_men=0.015,
    abroad_women=0.005,
    conscript_share=0.55,
    conscript_months=18,
    vehicle_share=0.22,
    poor_household_share=0.02,
    need_line=300.0,
)

UZ = CountryProfile(
    country="uz",
    currency="UZS",
    citizenship="UZ",
    foreign_citizenships=("RU", "KZ", "TJ", "KG", "TM"),
    languages=("uz", "ru", "en"),
    language_weights=(0.86, 0.13, 0.01),
    phone_prefixes=("+99890", "+99891", "+99893", "+99894", "+99897", "+99899"),
    household_size_weights=(0.05, 0.09, 0.12, 0.18, 0.20, 0.16, 0.10, 0.06, 0.04),
    men_retirement_months=60 * 12,
    women_retirement_months=55 * 12,
    women_retirement_months_later=55 * 12,
    women_retirement_change=(2100, 1),
    minimum_wage=1_271_000.0,
    average_wage=5_500_000.0,
    wage_sigma=0.55,
    minimum_pension=1_100_000.0,
    average_pension=2_000_000.0,
    informal_income=2_600_000.0,
    plot_income=900_000.0,
    child_benefit=360_000.0,
    disability_allowance=800_000.0,
    alimony=600_000.0,
    rent_income=2_500_000.0,
    raise_2026=1.10,
    vehicle_value=120_000_000.0,
    home_value=450_000_000.0,
    utility_scale=4_000.0,
    formal_men=0.30,
    formal_women=0.20,
    informal_men=0.45,
    informal_women=0.30,
    unemployed=0.07,
    jobseeker_share_of_unemployed=0.35,
    abroad_men=0.09,
    abroad_women=0.02,
    conscript_share=0.12,
    conscript_months=12,
    vehicle_share=0.20,
    poor_household_share=0.06,
    need_line=715_000.0,
)

PROFILES = {"az": AZ, "uz": UZ}
