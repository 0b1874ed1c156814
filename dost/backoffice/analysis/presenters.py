"""What the templates show: a run's figures with differences and words, and the dashboard
charts (the SVG geometry of dost/centres/charts.py; each chart has a table beside it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from dost.backoffice.analysis.dashboards import CentreRow, ServiceShare, SlaRow, SpendRow
from dost.backoffice.analysis.selectors import region_names
from dost.backoffice.analysis.services import SimulationResult
from dost.backoffice.analysis.simulation import MONTHS_PER_YEAR, Figures
from dost.catalog.models import localized
from dost.centres.charts import BarChart, bar_chart
from dost.rules import Period, Rulebook
from dost.rules.parameters import Bracket


def category_labels() -> dict[str, str]:
    return {
        "newly_eligible": _("Newly eligible"),
        "no_longer_eligible": _("No longer eligible"),
        "better_off": _("Paid more"),
        "worse_off": _("Paid less"),
        "unchanged": _("No change"),
    }


@dataclass(frozen=True)
class Row:
    """Figures of the whole registry or of one region, with the differences worked out."""

    label: str
    figures: Figures

    def __getattr__(self, name: str) -> Any:
        try:
            return self.figures[name]  # type: ignore[literal-required]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def cost_change(self) -> float:
        return round(self.figures["reform_cost"] - self.figures["baseline_cost"], 2)

    @property
    def baseline_year(self) -> float:
        return round(self.figures["baseline_cost"] * MONTHS_PER_YEAR, 2)

    @property
    def reform_year(self) -> float:
        return round(self.figures["reform_cost"] * MONTHS_PER_YEAR, 2)

    @property
    def year_change(self) -> float:
        return round(self.cost_change * MONTHS_PER_YEAR, 2)

    @property
    def beneficiaries_change(self) -> int:
        return self.figures["reform_beneficiaries"] - self.figures["baseline_beneficiaries"]

    @property
    def winners(self) -> int:
        return self.figures["newly_eligible"] + self.figures["better_off"]

    @property
    def losers(self) -> int:
        return self.figures["no_longer_eligible"] + self.figures["worse_off"]


def _text(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "; ".join(
            _("from %(threshold)s: %(figure)s") % {
                "threshold": f"{_band(b)[0]:g}", "figure": f"{_band(b)[1]:g}"}
            for b in value
        )
    return f"{value:g}" if isinstance(value, float) else str(value)


def _band(band: Bracket | dict[str, float]) -> tuple[float, float]:
    if isinstance(band, Bracket):
        return band.threshold, band.amount if band.rate == 0 else band.rate
    return band["threshold"], band.get("amount", band.get("rate", 0.0))


def result_view(book: Rulebook, result: SimulationResult) -> dict[str, Any]:
    request = result["request"]
    day = Period.parse(request["period"]).start
    changes = []
    for name, new in sorted(request["changes"].items()):
        param = book.parameters[name]
        current = param.at(day)
        changes.append({
            "label": localized(dict(param.label)) or name, "unit": param.unit,
            "current": _text(current.value) if current else "–", "new": _text(new),
        })
    view: dict[str, Any] = {
        "status": result["status"], "error": result.get("error", ""),
        "period": request["period"], "version": result["version"],
        "currency": result["currency"], "seconds": result["seconds"],
        "computed_at": dt.datetime.fromisoformat(result["computed_at"]), "changes": changes,
    }
    comparison = result.get("comparison")
    if comparison is None:
        return view
    names = region_names(r["region"] for r in comparison["regions"])
    totals = Row(_("All regions"), comparison["totals"])
    labels = category_labels()
    households = totals.figures["households"]
    view.update(
        totals=totals,
        categories=[
            {"label": labels[name], "count": totals.figures[name],  # type: ignore[literal-required]
             "share": 100 * totals.figures[name] / households if households else None}  # type: ignore[literal-required]
            for name in labels
        ],
        regions=[Row(names.get(r["region"]) or _("Region not recorded"), r)
                 for r in comparison["regions"]],
    )
    return view


def _chart(slug: str, title: str, description: str,
           values: list[tuple[str, float | None]]) -> BarChart:
    return bar_chart(slug=slug, title=title, description=description, values=values)


def dashboard_charts(figures: dict[str, Any]) -> dict[str, BarChart]:
    centres: list[CentreRow] = figures["centres"]
    shares: list[ServiceShare] = figures["shares"]
    sla: list[SlaRow] = figures["sla"]
    by_month: list[SpendRow] = figures["by_month"]
    by_region: list[SpendRow] = figures["by_region"]
    see_table = _("The same figures are in the table below the chart.")
    return {
        "visitors": _chart("visitors", _("Visitors by centre"), see_table,
                           [(r.label, float(r.visitors)) for r in centres]),
        "proactive": _chart("proactive", _("Proactive share of applications by service (%)"),
                            see_table, [(r.label, r.proactive_pct) for r in shares]),
        "sla": _chart("sla", _("Cases decided on time by service (%)"), see_table,
                      [(r.label, r.on_time_pct) for r in sla]),
        "month": _chart("month", _("Spending by month"), see_table,
                        [(r.label, float(r.total)) for r in by_month]),
        "region": _chart("region", _("Spending by region"), see_table,
                         [(r.label or _("Region not recorded"), float(r.total))
                          for r in by_region]),
    }
