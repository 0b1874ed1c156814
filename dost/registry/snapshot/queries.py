"""The SQL of the period snapshot: set-based aggregations, the same on SQLite and PostgreSQL.

Parameters: `first` = the first day of the month, `next` = the first day of the next month,
`m3`/`m12`/`m24` = the first day of the month 3/12/24 months before, `m24_index`/`m1_index` = the
month numbers (year * 12 + month) of the first and the last of the 24 months before. Every end
date (left_on, valid_to, end_date, disposed_on) is the last day on which the fact holds.

Each frame is a base query (one row per person, or per household) plus "parts": aggregations of
one kind of fact, grouped by the frame's key, that the reader left-joins onto the base. Keeping
the parts apart spares PostgreSQL a dozen million-row hash joins and the output of their nulls.
Date outputs are expressions, never bare columns, so that SQLite hands them over as ISO text (it
converts only bare columns declared `date`), as PostgreSQL's CSV does.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dost.registry.models import EXCLUDING_STATUSES, IncomeType, StatusKind


@dataclass(frozen=True)
class Part:
    """One query of a frame: its first column is the frame's key, unique in the result."""

    name: str
    sql: str
    columns: tuple[str, ...]


# The members of the month, computed once into a temporary table that every query reads.
MEMBERS_TABLE = "snapshot_members"
MEMBERS_CREATE = """
CREATE TEMPORARY TABLE snapshot_members AS
SELECT person_id, household_id, role FROM (
    SELECT m.person_id, m.household_id, m.role,
           ROW_NUMBER() OVER (
               PARTITION BY m.person_id ORDER BY m.joined_on DESC, m.id DESC
           ) AS rank
    FROM registry_membership m
    JOIN registry_person p ON p.id = m.person_id
    WHERE m.joined_on < %(next)s AND (m.left_on IS NULL OR m.left_on >= %(first)s)
      AND p.birth_date < %(next)s AND (p.death_date IS NULL OR p.death_date >= %(first)s)
      /*persons*/
) ranked
WHERE rank = 1 /*households*/
"""

# Sums are taken in floating point: several times faster than PostgreSQL's exact numeric, and
# exact enough once rounded to the cent. SQLite reads this type name as REAL.
_AMOUNT = "CAST(amount AS DOUBLE PRECISION)"

# The one thing the two dialects spell differently: a date's month number (year * 12 + month).
_MONTH_INDEX = {
    "postgresql": "(EXTRACT(YEAR FROM {column})::integer * 12"
    " + EXTRACT(MONTH FROM {column})::integer)",
    "sqlite": "(CAST(strftime('%%Y', {column}) AS INTEGER) * 12"
    " + CAST(strftime('%%m', {column}) AS INTEGER))",
}

# The dead are few: joining parents to them is far cheaper than to every person.
_PERSON_BASE = """
WITH dead AS (SELECT id FROM registry_person WHERE death_date < %(next)s)
SELECT p.id AS person_id, mb.household_id, mb.role, p.personal_id, p.sex,
       COALESCE(p.birth_date, NULL) AS birth_date,
       CASE WHEN p.death_date < %(next)s THEN p.death_date END AS death_date,
       p.citizenship, p.residence_status,
       CASE WHEN dead_mother.id IS NULL THEN 0 ELSE 1 END
           + CASE WHEN dead_father.id IS NULL THEN 0 ELSE 1 END AS deceased_parents
FROM snapshot_members mb
JOIN registry_person p ON p.id = mb.person_id
LEFT JOIN dead dead_mother ON dead_mother.id = p.mother_id
LEFT JOIN dead dead_father ON dead_father.id = p.father_id
"""

_INCOME = f"""
SELECT person_id,
       SUM({_AMOUNT}) AS income_12m,
       SUM({_AMOUNT}) FILTER (WHERE month >= %(m3)s) AS income_3m,
       SUM({_AMOUNT}) FILTER (WHERE type = '{IncomeType.WAGE.value}') AS wage_12m,
       SUM({_AMOUNT}) FILTER (
           WHERE type = '{IncomeType.PENSION.value}' AND month >= %(m3)s
       ) AS pension_3m
FROM registry_income
WHERE retracted_at IS NULL AND month >= %(m12)s AND month < %(first)s /*members*/
GROUP BY person_id
"""  # noqa: S608 - only constants are interpolated

_EMPLOYMENT = """
SELECT person_id,
       MAX(CASE WHEN end_date IS NULL OR end_date >= %(first)s THEN 1 ELSE 0 END) AS employed,
       MAX(CASE WHEN end_date < %(first)s THEN end_date END) AS employment_end_date
FROM registry_employmentcontract
WHERE retracted_at IS NULL AND start_date <= %(first)s /*members*/
GROUP BY person_id
"""

# Contracts as spans of month numbers clipped to the 24 months, in order of start; each adds the
# months after the furthest end of the ones before it, so a month two contracts share counts once.
_COVERAGE = """
SELECT person_id,
       SUM(CASE WHEN end_index >= from_index THEN end_index - from_index + 1 ELSE 0 END)
           AS insured_months_24m
FROM (
    SELECT person_id, end_index,
           CASE WHEN covered_before IS NULL OR start_index > covered_before
                THEN start_index ELSE covered_before + 1 END AS from_index
    FROM (
        SELECT person_id, start_index, end_index,
               MAX(end_index) OVER (
                   PARTITION BY person_id ORDER BY start_index, end_index
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING
               ) AS covered_before
        FROM (
            SELECT person_id,
                   CASE WHEN start_date < %(m24)s THEN %(m24_index)s
                        ELSE {start_index} END AS start_index,
                   CASE WHEN end_date IS NULL OR end_date >= %(first)s THEN %(m1_index)s
                        ELSE {end_index} END AS end_index
            FROM registry_employmentcontract
            WHERE retracted_at IS NULL AND start_date < %(first)s
              AND (end_date IS NULL OR end_date >= %(m24)s) /*members*/
        ) spans
    ) ordered
) added
GROUP BY person_id
"""

_INSURANCE = """
SELECT person_id, record_months AS insurance_record_months,
       CAST(pension_capital AS DOUBLE PRECISION) AS pension_capital
FROM (
    SELECT person_id, record_months, pension_capital,
           ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY as_of DESC, id DESC) AS rank
    FROM registry_insurancerecord
    WHERE retracted_at IS NULL AND as_of <= %(first)s /*members*/
) latest
WHERE rank = 1
"""

_DISABILITY = """
SELECT person_id, impairment_percent AS disability_percent, "group" AS disability_group
FROM (
    SELECT person_id, impairment_percent, "group",
           ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY valid_from DESC, id DESC) AS rank
    FROM registry_disabilitydetermination
    WHERE retracted_at IS NULL AND valid_from <= %(first)s
      AND (valid_to IS NULL OR valid_to >= %(first)s) /*members*/
) valid
WHERE rank = 1
"""

_EXCLUDING = ", ".join(f"'{kind.value}'" for kind in sorted(EXCLUDING_STATUSES))
_EXCLUSION = f"""
SELECT person_id, kind AS exclusion_status
FROM (
    SELECT person_id, kind,
           ROW_NUMBER() OVER (PARTITION BY person_id ORDER BY valid_from DESC, id DESC) AS rank
    FROM registry_personstatus
    WHERE retracted_at IS NULL AND kind IN ({_EXCLUDING}) AND valid_from <= %(first)s
      AND (valid_to IS NULL OR valid_to >= %(first)s) /*members*/
) active
WHERE rank = 1
"""  # noqa: S608 - only constants are interpolated

_JOBSEEKER = f"""
SELECT DISTINCT person_id, 1 AS registered_jobseeker
FROM registry_personstatus
WHERE retracted_at IS NULL AND kind = '{StatusKind.JOBSEEKER.value}'
  AND valid_from <= %(first)s AND (valid_to IS NULL OR valid_to >= %(first)s) /*members*/
"""  # noqa: S608 - only constants are interpolated

_JOB_OFFERS = """
SELECT person_id, COUNT(*) AS job_offers_refused_12m
FROM registry_joboffer
WHERE retracted_at IS NULL AND suitable AND refused
  AND offered_on >= %(m12)s AND offered_on < %(first)s /*members*/
GROUP BY person_id
"""

_HOUSEHOLD_BASE = """
SELECT h.id AS household_id, r.code AS region, d.code AS district
FROM registry_household h
JOIN registry_district d ON d.id = h.district_id
JOIN registry_region r ON r.id = d.region_id
WHERE h.id IN (SELECT household_id FROM snapshot_members)
"""

_OWNED = (
    "{t}.acquired_on <= %(first)s AND ({t}.disposed_on IS NULL OR {t}.disposed_on >= %(first)s)"
)

_VEHICLES = f"""
SELECT mb.household_id,
       SUM(CASE WHEN v.issued_for_rehabilitation THEN 0 ELSE 1 END) AS vehicles,
       SUM(CASE WHEN v.issued_for_rehabilitation THEN 1 ELSE 0 END) AS vehicles_rehab
FROM registry_vehicle v
JOIN snapshot_members mb ON mb.person_id = v.person_id
WHERE v.retracted_at IS NULL AND {_OWNED.format(t="v")}
GROUP BY mb.household_id
"""  # noqa: S608 - only constants are interpolated

_REAL_ESTATE = f"""
SELECT household_id, MAX(addresses) AS real_estate_same_purpose_max
FROM (
    SELECT mb.household_id, e.purpose, COUNT(DISTINCT TRIM(e.address)) AS addresses
    FROM registry_realestate e
    JOIN snapshot_members mb ON mb.person_id = e.person_id
    WHERE e.retracted_at IS NULL AND {_OWNED.format(t="e")}
    GROUP BY mb.household_id, e.purpose
) by_purpose
GROUP BY household_id
"""  # noqa: S608 - only constants are interpolated

# Vehicles issued for rehabilitation are given, not bought: they are no purchase.
_PURCHASES = """
SELECT mb.household_id, SUM(bought.value) AS purchases_12m
FROM (
    SELECT person_id, CAST(value AS DOUBLE PRECISION) AS value
    FROM registry_vehicle
    WHERE retracted_at IS NULL AND NOT issued_for_rehabilitation
      AND acquired_on >= %(m12)s AND acquired_on < %(first)s
    UNION ALL
    SELECT person_id, CAST(value AS DOUBLE PRECISION) AS value
    FROM registry_realestate
    WHERE retracted_at IS NULL AND acquired_on >= %(m12)s AND acquired_on < %(first)s
) bought
JOIN snapshot_members mb ON mb.person_id = bought.person_id
GROUP BY mb.household_id
"""

_UTILITIES = f"""
SELECT household_id, SUM({_AMOUNT}) / COUNT(DISTINCT month) AS utilities_monthly
FROM registry_utilityspending
WHERE retracted_at IS NULL AND month >= %(m12)s AND month < %(first)s /*households*/
GROUP BY household_id
"""  # noqa: S608 - only constants are interpolated


# With a list of households, every aggregation is restricted to their members (the full export
# skips that semi-join: it would only cost time).
_ONLY_MEMBERS = "AND person_id IN (SELECT person_id FROM snapshot_members)"


_PERSONS_OF_HOUSEHOLDS = (
    "AND m.person_id IN"
    " (SELECT person_id FROM registry_membership WHERE household_id IN (/*households*/))"
)


def members_create(household_count: int | None) -> str:
    """The members table's query; household_count placeholders %(h0)s … restrict it."""
    if household_count is None:
        return MEMBERS_CREATE.replace("/*persons*/", "").replace("/*households*/", "")
    households = _placeholders(household_count)
    # Rank only the memberships of persons ever in those households (an index lookup), then
    # keep those whose latest membership of the month is in one of them.
    persons = _PERSONS_OF_HOUSEHOLDS.replace("/*households*/", households)
    return (
        MEMBERS_CREATE.replace("/*persons*/", persons)
        .replace("/*households*/", f"AND household_id IN ({households})")
    )


def _placeholders(count: int) -> str:
    # `IN ()` is not SQL everywhere; `IN (NULL)` matches nothing.
    return ", ".join(f"%(h{i})s" for i in range(count)) or "NULL"


def person_parts(vendor: str, *, only_members: bool = False) -> list[Part]:
    """The persons frame's queries for a database vendor (``postgresql`` or ``sqlite``)."""
    month_index = _MONTH_INDEX[vendor]
    coverage = _COVERAGE.format(
        start_index=month_index.format(column="start_date"),
        end_index=month_index.format(column="end_date"),
    )
    restriction = _ONLY_MEMBERS if only_members else ""
    parts = [
        Part("persons", _PERSON_BASE, (
            "person_id", "household_id", "role", "personal_id", "sex", "birth_date",
            "death_date", "citizenship", "residence_status", "deceased_parents",
        )),
        Part("income", _INCOME,
             ("person_id", "income_12m", "income_3m", "wage_12m", "pension_3m")),
        Part("employment", _EMPLOYMENT, ("person_id", "employed", "employment_end_date")),
        Part("coverage", coverage, ("person_id", "insured_months_24m")),
        Part("insurance", _INSURANCE,
             ("person_id", "insurance_record_months", "pension_capital")),
        Part("disability", _DISABILITY, ("person_id", "disability_percent", "disability_group")),
        Part("exclusion", _EXCLUSION, ("person_id", "exclusion_status")),
        Part("jobseeker", _JOBSEEKER, ("person_id", "registered_jobseeker")),
        Part("job_offers", _JOB_OFFERS, ("person_id", "job_offers_refused_12m")),
    ]
    return [Part(p.name, p.sql.replace("/*members*/", restriction), p.columns) for p in parts]


def household_parts(*, only_members: bool = False) -> list[Part]:
    """The households frame's queries (the same on both vendors)."""
    restriction = (
        "AND household_id IN (SELECT household_id FROM snapshot_members)" if only_members else ""
    )
    parts = [
        Part("households", _HOUSEHOLD_BASE, ("household_id", "region", "district")),
        Part("vehicles", _VEHICLES, ("household_id", "vehicles", "vehicles_rehab")),
        Part("real_estate", _REAL_ESTATE, ("household_id", "real_estate_same_purpose_max")),
        Part("purchases", _PURCHASES, ("household_id", "purchases_12m")),
        Part("utilities", _UTILITIES, ("household_id", "utilities_monthly")),
    ]
    return [Part(p.name, p.sql.replace("/*households*/", restriction), p.columns) for p in parts]


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_index(day: dt.date) -> int:
    return day.year * 12 + day.month


def query_params(first: dt.date) -> dict[str, dt.date | int]:
    """The parameters every query of the month starting on ``first`` takes."""
    m24 = _add_months(first, -24)
    return {
        "first": first,
        "next": _add_months(first, 1),
        "m3": _add_months(first, -3),
        "m12": _add_months(first, -12),
        "m24": m24,
        "m24_index": _month_index(m24),
        "m1_index": _month_index(first) - 1,
    }
