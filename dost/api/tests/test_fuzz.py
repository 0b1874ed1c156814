"""Schemathesis against the served OpenAPI document, over real HTTP: valid and invalid requests
generated from the schema; none may get a 5xx, and every 4xx must be a problem document.

Bounded and reproducible: a fixed number of examples per operation and hypothesis derandomised
(the seed is fixed by the test's name), no example database.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from django.core.servers.basehttp import WSGIRequestHandler
from django.db import connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.core.result import Ok

from dost.api.keys import client_create, key_issue
from dost.api.tests.conftest import FULL_SCOPES
from dost.registry.tests.factories import fin_for, household_with

EXAMPLES_PER_OPERATION_AND_MODE = 40
MIN_REQUESTS = 1_000


def _check(response: Any, seen: Counter[int]) -> None:
    seen[response.status_code] += 1
    request = (response.request.method, response.request.url, str(response.request.body)[:300])
    assert response.status_code < 500, (request, response.text[:500])
    if response.status_code >= 400:
        content_type = response.headers.get("content-type", [""])[0]
        assert content_type == "application/problem+json", (request, response.text[:300])
        problem = response.json()
        assert problem["status"] == response.status_code
        assert {"type", "title", "detail", "instance"} <= set(problem)


@pytest.mark.slow
def test_it_answers_a_thousand_generated_requests_without_a_server_error(
    live_server: Any, transactional_db: None, monkeypatch: pytest.MonkeyPatch,
    settings: Any, tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path  # generated export requests write files
    # The test server writes headers and body separately; with Nagle's algorithm on, each
    # answer waits ~40 ms for the client's delayed ACK. Production servers set TCP_NODELAY.
    monkeypatch.setattr(WSGIRequestHandler, "disable_nagle_algorithm", True)
    # Each request runs in its own server thread: close its connection at the end, or the
    # test database cannot be dropped afterwards on PostgreSQL.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    household_with(("head", {"personal_id": fin_for(10)}), reference="H-FUZZ-1")
    client = client_create(name="fuzzer", sender="fuzzer", scopes=FULL_SCOPES,
                           rate_limit_per_minute=1_000_000)
    auth = {"Authorization": f"Bearer {key_issue(client=client).key}"}
    document = requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=10).json()
    schema = schemathesis.openapi.from_dict(document)
    seen: Counter[int] = Counter()
    # Closed before the test ends: a keep-alive connection left open would be closed by its
    # server thread during teardown, after the test database connection is gone.
    with requests.Session() as session:
        for result in schema.get_all_operations():
            assert isinstance(result, Ok), result.err()  # the document itself must be valid
            operation = result.ok()
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

                @hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION_AND_MODE, derandomize=True,
                                     database=None, deadline=None,
                                     suppress_health_check=list(HealthCheck))
                @given(case=operation.as_strategy(generation_mode=mode))
                def run(case: Any) -> None:
                    response = case.call(base_url=live_server.url, session=session, headers=auth,
                                         timeout=30)
                    _check(response, seen)

                run()

    assert sum(seen.values()) >= MIN_REQUESTS, seen
    # The generated requests reach past validation, not only into 422s.
    assert seen[200] + seen[201] + seen[404] > 0, seen
