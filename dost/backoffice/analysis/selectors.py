"""Reads of the analysis pages: rulebooks and benefits on offer, runs, region names."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from django.conf import settings
from django.core.cache import cache
from django.tasks import TaskResultStatus, default_task_backend
from django.tasks.exceptions import TaskResultDoesNotExist

from dost.backoffice.analysis.services import (
    SimulationResult,
    job_cache_key,
    result_cache_key,
)
from dost.backoffice.analysis.simulation import Benefit, benefits_of
from dost.catalog.models import Service, localized
from dost.registry.models import Region
from dost.rules import Rulebook, load_rulebook

RULEBOOKS: tuple[str, ...] = ("az", "uz")


def rulebooks() -> list[Rulebook]:
    """The shipped rulebooks, the installation's country first (its registry is what runs)."""
    names = sorted(RULEBOOKS, key=lambda name: name != settings.DOST_COUNTRY)
    return [load_rulebook(name) for name in names]


def benefits(book: Rulebook) -> list[Benefit]:
    """The rulebook's money outputs that a service of the catalogue is decided by (its
    `rule_outputs`): the amounts actually paid, not intermediate figures such as an income."""
    named = {
        name
        for outputs in Service.objects.filter(country=book.name).values_list(
            "rule_outputs", flat=True
        )
        for name in outputs or ()
    }
    return [b for b in benefits_of(book) if b.output in named]


def benefit_get(rulebook: str, output: str) -> Benefit | None:
    if rulebook not in RULEBOOKS:
        return None
    return next((b for b in benefits(load_rulebook(rulebook)) if b.output == output), None)


def benefit_label(book: Rulebook, output: str) -> str:
    return localized(dict(book.variables[output].label))


@dataclass(frozen=True)
class RunState:
    state: Literal["done", "failed", "running", "unknown"]
    result: SimulationResult | None = None
    request: dict[str, Any] | None = None


def simulation_state(key: str) -> RunState:
    """Where the run `key` is: done (or failed) with its result, still running, or unknown
    (never started here, or its result has expired from the cache)."""
    result: SimulationResult | None = cache.get(result_cache_key(key))
    if result is not None:
        return RunState(result["status"], result, result["request"])
    job: dict[str, Any] | None = cache.get(job_cache_key(key))
    if job is None:
        return RunState("unknown")
    if job["task_id"] and default_task_backend.supports_get_result:
        try:
            task_result = default_task_backend.get_result(job["task_id"])
        except TaskResultDoesNotExist:
            return RunState("unknown")
        if task_result.status == TaskResultStatus.FAILED:
            return RunState("failed", None, job["request"])
        if task_result.status == TaskResultStatus.SUCCESSFUL:
            # The worker's cache may not be this process's: the task's return value is the
            # result itself.
            returned: SimulationResult = task_result.return_value
            return RunState(returned["status"], returned, job["request"])
    return RunState("running", None, job["request"])


def region_names(codes: Iterable[str]) -> dict[str, str]:
    """Region code -> name in the active language (the code itself when not in the registry)."""
    wanted = set(codes)
    found = {r.code: localized(r.names) or r.name for r in Region.objects.filter(code__in=wanted)}
    return {code: found.get(code, code) for code in wanted}


def regions() -> list[Region]:
    return list(Region.objects.filter(country=settings.DOST_COUNTRY).order_by("name"))
