"""Background work of the analysis pages: a policy simulation over a large registry."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from dost.backoffice.analysis.services import SimulationRequest, simulation_compute


@task()
def simulation_run(
    rulebook: str, output: str, period: str, changes: dict[str, Any],
) -> dict[str, Any]:
    """Compute one simulation and cache it; safe to run twice (the same result is cached)."""
    result = simulation_compute(
        request=SimulationRequest(rulebook, output, period, dict(changes))
    )
    return dict(result)
