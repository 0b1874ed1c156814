"""The nightly non-take-up scan: who is likely eligible for a proactive service and not paid.

The whole population of the period is exported once (`period_snapshot`) and evaluated once
(`evaluate_population`) for the rule outputs of every proactive service; an output decides as it
does for a case (every BOOL output true, or else the first MONEY output positive). People with
an active award of the service are taken out; the rest are stored as `NonTakeUp` rows, the
outreach lists by district, replacing any earlier scan of the same period.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
from django.db import transaction

from dost.benefits.models import Award, AwardStatus
from dost.benefits.services.payroll import period_first
from dost.cases.rules_bridge import rulebook_for
from dost.catalog.models import ProactiveOutcome, Service
from dost.proactive.models import NonTakeUp
from dost.registry.models import District
from dost.registry.snapshot import period_snapshot
from dost.rules import BOOL, MONEY, PERSON, evaluate_population

INSERT_BATCH = 5000


@dataclass
class ScanResult:
    period: str
    found: int = 0
    by_district: Counter[str] = field(default_factory=Counter)
    by_service: Counter[str] = field(default_factory=Counter)


def _services(country: str, known: set[str]) -> list[Service]:
    return [
        s for s in Service.objects.filter(country=country, is_active=True)
        .exclude(proactive_outcome=ProactiveOutcome.NONE).order_by("code")
        if s.rule_outputs and all(o in known for o in s.rule_outputs)
    ]


def eligible_mask(
    frame: pl.DataFrame, service: Service, kinds: dict[str, object]
) -> pl.Series:
    """Rows entitled to `service`, decided as for a case (see `cases.rules_bridge`)."""
    bools = [n for n in service.rule_outputs if kinds[n] is BOOL]
    money = [n for n in service.rule_outputs if kinds[n] is MONEY]
    if bools:
        return frame.select(
            pl.all_horizontal([pl.col(n).fill_null(False) for n in bools])
        ).to_series()
    if money:
        return frame.select(pl.col(money[0]).fill_null(0) > 0).to_series()
    return pl.Series([False] * frame.height)


def scan_non_take_up(*, period: str, country: str) -> ScanResult:
    """Evaluate the whole population of `country` for `period`; store the outreach lists."""
    period_first(period)
    book = rulebook_for(country)
    services = _services(country, set(book.variables))
    result = ScanResult(period=period)
    if not services:
        return result
    outputs = sorted({o for s in services for o in s.rule_outputs})
    snapshot = period_snapshot(period)
    people_lf, homes_lf = evaluate_population(
        book, period, snapshot.persons, snapshot.households, outputs
    )
    people, homes = pl.collect_all([people_lf, homes_lf])
    base = snapshot.persons.select("person_id", "household_id", "role", "death_date").join(
        snapshot.households.select("household_id", "district"), on="household_id", how="left"
    )
    person_cols = [c for c in people.columns if c in outputs]
    home_cols = [c for c in homes.columns if c in outputs]
    frame = base.join(people.select("person_id", *person_cols), on="person_id", how="left")
    frame = frame.join(homes.select("household_id", *home_cols), on="household_id", how="left")
    frame = frame.filter(pl.col("death_date").is_null())
    kinds: dict[str, object] = {n: book.variables[n].vtype for n in outputs}
    districts = dict(District.objects.values_list("code", "id"))
    rows: list[NonTakeUp] = []
    for service in services:
        person_level = any(book.variables[n].entity is PERSON for n in service.rule_outputs)
        chosen = frame.filter(eligible_mask(frame, service, kinds))
        if not person_level:
            # A household's benefit is offered to its head (the first member if none).
            chosen = chosen.sort(pl.col("role") != "head", "person_id").unique(
                "household_id", keep="first"
            )
        awarded = Award.objects.filter(service=service, status=AwardStatus.ACTIVE)
        receiving_people = set(awarded.exclude(person=None).values_list("person_id", flat=True))
        receiving_homes = set(
            awarded.exclude(household=None).values_list("household_id", flat=True)
        )
        money = next((n for n in service.rule_outputs if kinds[n] is MONEY), None)
        columns = ["person_id", "household_id", "district"] + ([money] if money else [])
        for row in chosen.select(columns).iter_rows(named=True):
            if row["person_id"] in receiving_people or row["household_id"] in receiving_homes:
                continue
            district_id = districts.get(row["district"])
            if district_id is None:
                continue
            amount = row.get(money) if money else None
            rows.append(NonTakeUp(
                period=period, service=service, person_id=row["person_id"],
                household_id=row["household_id"], district_id=district_id,
                amount=None if amount is None else Decimal(str(amount)).quantize(
                    Decimal("0.01"), rounding=ROUND_HALF_UP),
            ))
            result.by_district[row["district"]] += 1
            result.by_service[service.code] += 1
    with transaction.atomic():
        NonTakeUp.objects.filter(period=period, service__in=services).delete()
        NonTakeUp.objects.bulk_create(rows, batch_size=INSERT_BATCH)
    result.found = len(rows)
    return result


def outreach_write(*, period: str, directory: Path) -> list[Path]:
    """One CSV outreach list per district for `period`: who to contact about what."""
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    rows = (
        NonTakeUp.objects.filter(period=period)
        .select_related("district", "service", "person")
        .order_by("district__code", "service__code", "person__last_name", "person_id")
    )
    current: str | None = None
    handle = None
    writer = None
    try:
        for row in rows.iterator(chunk_size=2000):
            if row.district.code != current:
                if handle is not None:
                    handle.close()
                current = row.district.code
                path = directory / f"{period}-{current}.csv"
                handle = path.open("w", newline="", encoding="utf-8")
                writer = csv.writer(handle)
                writer.writerow(["service", "personal_id", "name", "phone", "likely_amount"])
                written.append(path)
            assert writer is not None
            writer.writerow([row.service.code, row.person.personal_id, row.person.full_name,
                             row.person.phone, "" if row.amount is None else str(row.amount)])
    finally:
        if handle is not None:
            handle.close()
    return written

