"""The analysis pages over HTTP: who may open them, the simulation journey, its errors, and the
background-task path."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from dost.backoffice.analysis import forms

from .conftest import PERIOD, Registry

pytestmark = pytest.mark.urls("dost.backoffice.analysis.tests.urls")
TSSA = {"rulebook": "az", "output": "tssa_amount"}


def urls() -> list[str]:
    return [
        reverse("analysis:index"),
        reverse("analysis:simulation"),
        reverse("analysis:simulation_parameters", kwargs=TSSA),
        reverse("analysis:simulation_run", kwargs={"key": "0" * 32}),
        reverse("analysis:dashboards"),
    ]


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def prefilled(client: Client, period: str = PERIOD, **kwargs: str) -> dict[str, str]:
    """The parameter form as the page fills it in (the values in force), for the benefit."""
    target = kwargs or TSSA
    page = client.get(reverse("analysis:simulation_parameters", kwargs=target),
                      {"period": period})
    assert page.status_code == 200
    fields = dict(re.findall(r'name="(p-[^"]+)"[^>]*value="([^"]*)"', page.content.decode()))
    assert fields  # the form is there
    return {"period": period, **fields}


def test_it_sends_anonymous_visitors_to_the_staff_sign_in(db: None) -> None:
    for url in urls():
        response = Client().get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_it_refuses_a_case_officer_everywhere(officer: User) -> None:
    client = client_for(officer)
    for url in urls():
        assert client.get(url).status_code == 403, url
    post = client.post(reverse("analysis:simulation_parameters", kwargs=TSSA),
                       {"period": PERIOD, "p-tssa-need_criterion": "350"})
    assert post.status_code == 403


def test_it_lets_a_supervisor_see_dashboards_but_not_simulate(
    supervisor: User, registry: Registry,
) -> None:
    client = client_for(supervisor)
    assert client.get(reverse("analysis:dashboards")).status_code == 200
    index = client.get(reverse("analysis:index"))
    assert index.status_code == 200
    assert reverse("analysis:simulation") not in index.content.decode()
    for url in urls()[1:4]:
        assert client.get(url).status_code == 403, url


def test_it_runs_a_simulation_from_the_benefit_to_the_results(
    analyst: User, registry: Registry,
) -> None:
    client = client_for(analyst)
    choose = client.get(reverse("analysis:simulation"), {"benefit": "az:tssa_amount"})
    assert choose["Location"] == reverse("analysis:simulation_parameters", kwargs=TSSA)
    page = client.get(choose["Location"], {"period": PERIOD}, HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "tssa.need_criterion" in text and "In force in 2026-03" in text
    data = prefilled(client)
    assert data["p-tssa-need_criterion"] == "300"
    data["p-tssa-need_criterion"] = "350"
    response = client.post(reverse("analysis:simulation_parameters", kwargs=TSSA), data)
    assert response.status_code == 302
    result = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    html = result.content.decode()
    # The hand-worked figures of test_simulation.py: 150 today, 430 simulated, +280 a month.
    totals = re.search(r'<table class="table" id="totals">(.*?)</table>', html, re.S)
    assert totals is not None
    cells = re.findall(r'<td class="num">([^<]*)</td>', totals.group(1))
    assert cells[:6] == ["150.00", "430.00", "280.00", "1,800.00", "5,160.00", "3,360.00"]
    assert cells[6:] == ["2", "3", "1"]
    assert "Region AZ-BA" in html and "Region AZ-GA" in html


def test_it_explains_bad_values_in_an_error_summary(analyst: User, registry: Registry) -> None:
    client = client_for(analyst)
    data = prefilled(client)
    data.update({"p-tssa-need_criterion": "a lot", "p-tssa-refusal-utilities_share_of_minimum": "2",
                 "p-tssa-income_months": "0"})
    page = client.post(reverse("analysis:simulation_parameters", kwargs=TSSA), data,
                       HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert summary is not None
    assert '<a href="#id_p-tssa-need_criterion">Need criterion (AZN) must be a number' in (
        summary.group(0))
    assert "Utilities share of subsistence minimum (ratio) must be 1 or less." in summary.group(0)
    assert "Months of income counted (months) must be 1 or more." in summary.group(0)
    unchanged = client.post(reverse("analysis:simulation_parameters", kwargs=TSSA),
                            prefilled(client), HTTP_ACCEPT_LANGUAGE="en")
    assert str(forms.MSG_NO_CHANGE).replace("'", "&#x27;") in unchanged.content.decode()


def test_it_checks_the_bands_of_a_scale(analyst: User, registry: Registry) -> None:
    client = client_for(analyst)
    target = {"rulebook": "az", "output": "disability_benefit"}
    data = prefilled(client, **target)
    assert data["p-benefits-disability-2-amount"] == "250"
    data["p-benefits-disability-2-threshold"] = "20"  # below band 1's 31
    page = client.post(reverse("analysis:simulation_parameters", kwargs=target), data,
                       HTTP_ACCEPT_LANGUAGE="en")
    assert "Each band must start above the band before it." in page.content.decode()
    data["p-benefits-disability-2-threshold"] = "61"
    data["p-benefits-disability-2-amount"] = "275"
    response = client.post(reverse("analysis:simulation_parameters", kwargs=target), data)
    assert response.status_code == 302
    html = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "from 61: 275" in html  # the changed scale, as simulated


def test_it_says_when_the_month_has_no_parameter_values(analyst: User, registry: Registry) -> None:
    page = client_for(analyst).get(
        reverse("analysis:simulation_parameters",
                kwargs={"rulebook": "az", "output": "disability_benefit"}),
        {"period": "2025-03"}, HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "no value in force in 2025-03" in page.content.decode()
    assert "Run the simulation" not in page.content.decode()


def test_it_refuses_an_unknown_benefit(analyst: User, registry: Registry) -> None:
    client = client_for(analyst)
    for kwargs in ({"rulebook": "az", "output": "tssa_average_income"},
                   {"rulebook": "xx", "output": "tssa_amount"}):
        url = reverse("analysis:simulation_parameters", kwargs=kwargs)
        assert client.get(url).status_code == 404


def test_it_runs_a_large_registry_as_a_task(
    analyst: User, registry: Registry, settings: Any,
) -> None:
    settings.DOST_SIMULATION_INLINE_MAX_HOUSEHOLDS = 2  # the fixture has 5 households
    client = client_for(analyst)
    data = prefilled(client)
    data["p-tssa-need_criterion"] = "350"
    # Embedded mode: the in-process backend runs the task inside enqueue().
    response = client.post(reverse("analysis:simulation_parameters", kwargs=TSSA), data)
    html = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Simulation results" in html and "430.00" in html


def test_it_shows_a_queued_task_as_running(
    analyst: User, registry: Registry, settings: Any,
) -> None:
    settings.DOST_SIMULATION_INLINE_MAX_HOUSEHOLDS = 2
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}
    client = client_for(analyst)
    data = prefilled(client)
    data["p-tssa-need_criterion"] = "350"
    response = client.post(reverse("analysis:simulation_parameters", kwargs=TSSA), data)
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    assert "The simulation is running" in page.content.decode()


@pytest.mark.urls("dost.backoffice.analysis.tests.urls_nested")
def test_it_works_inside_the_back_office_namespace(analyst: User, registry: Registry) -> None:
    client = client_for(analyst)
    index = client.get("/bo/analysis/")
    assert 'href="/bo/analysis/simulation/"' in index.content.decode()
    choose = client.get("/bo/analysis/simulation/", {"benefit": "az:tssa_amount"})
    assert choose["Location"] == "/bo/analysis/simulation/az/tssa_amount/"
    data = prefilled_at(client, "/bo/analysis/simulation/az/tssa_amount/")
    data["p-tssa-need_criterion"] = "350"
    run = client.post("/bo/analysis/simulation/az/tssa_amount/", data)
    assert run["Location"].startswith("/bo/analysis/simulation/runs/")
    assert "430.00" in client.get(run["Location"]).content.decode()


def prefilled_at(client: Client, url: str) -> dict[str, str]:
    page = client.get(url, {"period": PERIOD})
    fields = dict(re.findall(r'name="(p-[^"]+)"[^>]*value="([^"]*)"', page.content.decode()))
    return {"period": PERIOD, **fields}
