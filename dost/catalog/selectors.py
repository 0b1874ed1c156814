"""Reads from the catalogue.

Channel and rule-output filters run in Python over the country's active services: the lists are
JSON columns, which SQLite cannot search with `contains`, and a catalogue is a few hundred rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from dost.catalog.models import IntakeChannel, Service


def _country(country: str | None) -> str:
    return country or str(settings.DOST_COUNTRY)


def services_list(*, country: str | None = None, active_only: bool = True) -> QuerySet[Service]:
    """The services of `country` (default: the deployment's), by code."""
    services = Service.objects.filter(country=_country(country)).select_related("category")
    return services.filter(is_active=True) if active_only else services


def service_get(code: str, *, country: str | None = None) -> Service:
    """The passport with this code; raises `Service.DoesNotExist` when there is none."""
    return Service.objects.select_related("category").get(country=_country(country), code=code)


def services_for_channel(
    channel: IntakeChannel | str, *, country: str | None = None, active_only: bool = True,
) -> list[Service]:
    """Services a citizen can ask for through `channel` (or, for `proactive`, that start alone)."""
    return [
        s for s in services_list(country=country, active_only=active_only)
        if str(channel) in s.intake_channels
    ]


def services_for_rule_output(output: str, *, country: str | None = None) -> list[Service]:
    """Active services decided by the rulebook variable `output` (e.g. "tssa_amount")."""
    return [s for s in services_list(country=country) if output in s.rule_outputs]
