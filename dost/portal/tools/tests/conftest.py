"""Fixtures of the tools' tests: a fixed day (4 March 2026, Baku) and a screener walker."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

DAY = dt.datetime(2026, 3, 4, 11, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Baku"))
STATE = re.compile(r'name="state" value="([^"]+)"')


@pytest.fixture
def on_day() -> Iterator[None]:
    with time_machine.travel(DAY, tick=False):
        yield


def state_of(html: str) -> str:
    found = STATE.search(html)
    assert found, "no answers token on the page"
    return found.group(1)


def walk(client: Client, household: dict[str, Any], people: list[dict[str, Any]]) -> str:
    """Answer every screener question and return the results page's HTML."""
    page = client.get(reverse("portal_tools:screener_household")).content.decode()
    page = client.post(reverse("portal_tools:screener_household"),
                       {"state": state_of(page), **household}).content.decode()
    for index, person in enumerate(people):
        response = client.post(reverse("portal_tools:screener_person"),
                               {"state": state_of(page), "index": index, **person})
        page = response.content.decode()
        assert 'class="error-summary"' not in page, page
    assert f'action="{reverse("portal_tools:screener_results")}"' in page  # check your answers
    return client.post(reverse("portal_tools:screener_results"),
                       {"state": state_of(page)}).content.decode()


def az_person(**answers: Any) -> dict[str, Any]:
    base = {"sex": "M", "citizen": "yes", "disability": "", "parent_died": "no",
            "wages": "0", "pension": "0", "other_income": "0"}
    return {**base, **answers}


def uz_person(**answers: Any) -> dict[str, Any]:
    return {"wages": "0", "pension": "0", "other_income": "0", **answers}
