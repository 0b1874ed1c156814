"""Views of the analysis pages: thin, each behind a capability permission (roles.py)."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dost.backoffice.analysis import dashboards as dash
from dost.backoffice.analysis.forms import (
    BenefitForm,
    DashboardFilterForm,
    ParameterForm,
    PeriodForm,
)
from dost.backoffice.analysis.presenters import dashboard_charts, result_view
from dost.backoffice.analysis.selectors import (
    benefit_get,
    benefit_label,
    regions,
    simulation_state,
)
from dost.backoffice.analysis.services import SimulationRequest, simulation_start
from dost.backoffice.analysis.simulation import benefit_parameters
from dost.centres.kpis import centre_kpis
from dost.rules import Period, load_rulebook
from dost.security.access import staff_required

SIMULATE = "security.run_policy_simulation"
DASHBOARDS = "security.view_dashboards"
QUEUE_DETAIL_MAX_MONTHS = 3


def _ns(request: HttpRequest) -> str:
    """The namespace these URLs were included under: "analysis" at the top level, or
    "backoffice:analysis" inside the back office's URLs. Templates get it as `ns`."""
    match = request.resolver_match
    return match.namespace if match is not None and match.namespace else "analysis"


def _render(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, f"backoffice/analysis/{template}", {**context, "ns": _ns(request)})


@staff_required(DASHBOARDS)
def index(request: HttpRequest) -> HttpResponse:
    can_simulate = request.user.has_perm(SIMULATE)
    return _render(request, "index.html", {"can_simulate": can_simulate})


@staff_required(SIMULATE)
def simulation(request: HttpRequest) -> HttpResponseBase:
    """Step 1: which benefit (of which rulebook)."""
    form = BenefitForm(request.GET or None)
    if form.is_valid():
        rulebook, output = form.cleaned_data["benefit"].split(":", 1)
        return redirect(f"{_ns(request)}:simulation_parameters", rulebook=rulebook,
                        output=output)
    return _render(request, "simulation.html", {"form": form})


@staff_required(SIMULATE)
def simulation_parameters(request: HttpRequest, rulebook: str, output: str) -> HttpResponseBase:
    """Step 2: the benefit's dated parameters for a month, and new values for them."""
    benefit = benefit_get(rulebook, output)
    if benefit is None:
        raise Http404
    book = load_rulebook(rulebook)
    data = request.POST if request.method == "POST" else request.GET
    period_form = PeriodForm(
        data if "period" in data else {"period": timezone.localdate().strftime("%Y-%m")}
    )
    context: dict[str, Any] = {
        "book": book, "benefit": benefit, "benefit_label": benefit_label(book, output),
        "period_form": period_form,
    }
    if not period_form.is_valid():
        return _render(request, "parameters.html", context)
    period = period_form.cleaned_data["period"]
    day = Period.parse(period).start
    parameters = benefit_parameters(book, output)
    missing = [p for p in parameters if p.at(day) is None]
    form = ParameterForm(request.POST if request.method == "POST" else None,
                         parameters=parameters, day=day)
    context.update(period=period, form=form, missing=missing)
    if request.method == "POST" and not missing and form.is_valid():
        key = simulation_start(request=SimulationRequest(rulebook, output, period, form.changes))
        return redirect(f"{_ns(request)}:simulation_run", key=key)
    return _render(request, "parameters.html", context)


@staff_required(SIMULATE)
def simulation_run(request: HttpRequest, key: str) -> HttpResponse:
    """Step 3: the run's figures, or its status while a task computes it."""
    state = simulation_state(key)
    if state.state == "unknown":
        raise Http404
    context: dict[str, Any] = {"state": state.state, "key": key}
    request_data = state.request or {}
    benefit = benefit_get(request_data.get("rulebook", ""), request_data.get("output", ""))
    if benefit is not None:
        book = load_rulebook(benefit.rulebook)
        context.update(
            benefit=benefit, benefit_label=benefit_label(book, benefit.output),
            again_url=reverse(f"{_ns(request)}:simulation_parameters",
                              kwargs={"rulebook": benefit.rulebook, "output": benefit.output})
            + f"?period={request_data['period']}",
        )
        if state.result is not None:
            context["view"] = result_view(book, state.result)
    return _render(request, "run.html", context)


@staff_required(DASHBOARDS)
def dashboards(request: HttpRequest) -> HttpResponse:
    """Centres, proactive share, SLA and spending, filtered by months, region and centre."""
    form = DashboardFilterForm(request.GET or DashboardFilterForm.defaults(), regions=regions())
    context: dict[str, Any] = {"form": form}
    if form.is_valid():
        data = form.cleaned_data
        flt = dash.DashboardFilter(Period.parse(data["start"]), Period.parse(data["end"]),
                                   data["region"], data["centre"])
        cases, spending = dash.case_counts(flt), dash.spending_groups(flt)
        figures = {
            "centres": dash.centre_rows(flt),
            "shares": dash.proactive_shares(flt, cases),
            "sla": dash.sla_rows(flt, counts=cases),
            "by_month": dash.spending_by_month(flt, spending),
            "by_service": dash.spending_by_service(flt, spending),
            "by_region": dash.spending_by_region(flt, spending),
        }
        context.update(figures, flt=flt, charts=dashboard_charts(figures))
        months = (flt.end.year - flt.start.year) * 12 + flt.end.month - flt.start.month + 1
        if flt.centre is not None and months <= QUEUE_DETAIL_MAX_MONTHS:
            # One centre: its queues through the centre app's own KPI code, which also gives
            # the share served within the passport's standard time. That code reads the
            # tickets one by one, so only for a few months of one centre.
            context["queues"] = centre_kpis(centre=flt.centre, start=flt.first_day,
                                            end=flt.last_day, breakdown="service_group")
            context["queues_caption"] = _("Figures per queue")
    return _render(request, "dashboards.html", context)
