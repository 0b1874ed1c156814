"""Running a policy simulation: synchronously for a small registry, as a task for a large one.

A run is stateless: its result (a JSON-ready dict) is kept in Django's cache under a key made
of everything that decides it (rulebook and version, benefit, month, changes), so asking the
same question again within SIMULATION_CACHE_SECONDS shows the same answer at once. In
production the cache must be shared by the web and task workers (docs/simulation.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, NotRequired, TypedDict

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from dost.backoffice.analysis.simulation import Comparison, canonical, compare, reformed
from dost.registry.models import Household
from dost.registry.snapshot import period_snapshot
from dost.rules import RulebookError, load_rulebook

SIMULATION_CACHE_SECONDS = 60 * 60
# Up to this many households the run happens while the analyst waits (the 4,000-person demo
# takes well under a second); above it the run goes to the task queue.
INLINE_MAX_HOUSEHOLDS = 100_000


@dataclass(frozen=True)
class SimulationRequest:
    rulebook: str
    output: str
    period: str
    changes: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        version = load_rulebook(self.rulebook).version
        raw = canonical({**asdict(self), "version": version})
        return hashlib.sha256(raw.encode()).hexdigest()[:32]


class SimulationResult(TypedDict):
    status: Literal["done", "failed"]
    request: dict[str, Any]
    version: str
    currency: str
    computed_at: str
    seconds: float
    comparison: NotRequired[Comparison]
    error: NotRequired[str]


def result_cache_key(key: str) -> str:
    return f"analysis:simulation:{key}"


def job_cache_key(key: str) -> str:
    return f"analysis:simulation-job:{key}"


def simulation_compute(*, request: SimulationRequest, using: str = "default") -> SimulationResult:
    """Snapshot the registry for the month, run both rulebooks, compare; cache the result."""
    started = timezone.now()
    book = load_rulebook(request.rulebook)
    result = SimulationResult(
        status="done", request=asdict(request), version=book.version, currency=book.currency,
        computed_at=started.isoformat(), seconds=0.0,
    )
    try:
        snapshot = period_snapshot(request.period, using=using)
        result["comparison"] = compare(
            book, reformed(request.rulebook, request.changes), request.output, request.period,
            snapshot.persons, snapshot.households,
        )
    except (RulebookError, ValueError) as exc:
        # A parameter with no value for the month, or a reform the engine refuses: the analyst
        # sees the engine's own words (they name the parameter and the date).
        result["status"] = "failed"
        result["error"] = str(exc)
    result["seconds"] = round((timezone.now() - started).total_seconds(), 3)
    cache.set(result_cache_key(request.key), result, SIMULATION_CACHE_SECONDS)
    return result


def simulation_start(*, request: SimulationRequest, using: str = "default") -> str:
    """Start (or reuse) the run for the request; returns the key its result page reads."""
    key = request.key
    if cache.get(result_cache_key(key)) is not None:
        return key
    limit = getattr(settings, "DOST_SIMULATION_INLINE_MAX_HOUSEHOLDS", INLINE_MAX_HOUSEHOLDS)
    if Household.objects.using(using).count() <= limit:
        simulation_compute(request=request, using=using)
        return key
    from dost.backoffice.analysis.tasks import simulation_run

    # With the in-process backend the task has finished (and cached its result) on return.
    task_result = simulation_run.enqueue(
        request.rulebook, request.output, request.period, request.changes
    )
    cache.set(job_cache_key(key), {"request": asdict(request), "task_id": task_result.id},
              SIMULATION_CACHE_SECONDS)
    return key
