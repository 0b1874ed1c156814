"""Reads of the benefits app for the payroll officers' pages: runs with who prepared and who
approved them, one run by its month, and the labels its totals are shown with."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from dost.benefits.models import PayrollRun
from dost.benefits.services.bank_files import NO_BANK
from dost.benefits.services.payroll import RunTotals
from dost.catalog.models import Service, localized
from dost.registry.models import Region


def payroll_runs() -> QuerySet[PayrollRun]:
    """Every run, newest month first, with its sign-off (one query for the whole list)."""
    return PayrollRun.objects.select_related(
        "approved_by",
        "sign_off__prepared_by",
        "sign_off__approved_by",
    ).order_by("-period")


def payroll_run_get(*, period: str) -> PayrollRun | None:
    return payroll_runs().filter(period=period).first()


def payroll_run_preparer_id(run: PayrollRun) -> int | None:
    """Who prepared the run (None: run from the command line without `--by`)."""
    sign_off = getattr(run, "sign_off", None)
    return sign_off.prepared_by_id if sign_off is not None else None


@dataclass(frozen=True)
class TotalRow:
    key: str
    label: str
    total: Decimal


# Payments to beneficiaries with no bank on record go to a file of their own, named NOTPROVIDED
# as ISO 20022 says for an unknown agent; the officer reads words, with the code beside them.
MSG_NO_BANK = gettext_lazy("No bank on record (NOTPROVIDED)")


@dataclass(frozen=True)
class LabelledTotals:
    by_service: list[TotalRow]
    by_region: list[TotalRow]
    by_bank: list[TotalRow]
    count: int
    total: Decimal


def payroll_totals_labelled(totals: RunTotals) -> LabelledTotals:
    """The run's totals with service and region names in the active language."""
    services: dict[str, Any] = dict(
        Service.objects.filter(code__in=list(totals.by_service)).values_list("code", "names")
    )
    regions: dict[str, tuple[str, Any]] = {
        code: (name, names)
        for code, name, names in Region.objects.filter(code__in=list(totals.by_region)).values_list(
            "code", "name", "names"
        )
    }

    def service_label(code: str) -> str:
        names = services.get(code)
        return f"{code} {localized(names)}" if isinstance(names, dict) and names else code

    def region_label(code: str) -> str:
        name, names = regions.get(code, (code, None))
        return (localized(names) if isinstance(names, dict) and names else name) or code

    return LabelledTotals(
        by_service=[TotalRow(k, service_label(k), v) for k, v in totals.by_service.items()],
        by_region=[TotalRow(k, region_label(k), v) for k, v in totals.by_region.items()],
        by_bank=[TotalRow(k or NO_BANK, k or str(MSG_NO_BANK), v)
                 for k, v in totals.by_bank.items()],
        count=totals.count,
        total=totals.total,
    )
