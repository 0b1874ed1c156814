"""Views of the citizen tools: thin, every one wrapped in its access rule.

The screener keeps nothing: each page posts the answers so far as a signed token with the
new answers, and the next page is rendered in the response (no session, no database row).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dost.portal.tools import pension, screener
from dost.portal.tools.formatting import long_date, money, month_year
from dost.portal.tools.forms import HouseholdForm, PensionForm, PersonForm
from dost.portal.tools.selectors import pension_facts
from dost.security.access import citizen_required, public

T = "portal/tools/"


def _country() -> str:
    return str(settings.DOST_COUNTRY)


def _language() -> str:
    return (get_language() or "en").split("-")[0]


def _expired(request: HttpRequest) -> HttpResponse:
    return render(request, T + "screener_expired.html", status=400)


@public
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return render(request, T + "index.html", {"pension_available": pension.available(_country())})


@public
@require_GET
def screener_start(request: HttpRequest) -> HttpResponse:
    return render(request, T + "screener_start.html", {"country": _country()})


def _person_page(
    request: HttpRequest, answers: screener.Answers, index: int, form: PersonForm | None = None
) -> HttpResponse:
    country = answers["country"]
    if form is None:
        known = answers["people"][index] if index < len(answers["people"]) else None
        form = PersonForm(
            country=country, index=index,
            initial=PersonForm.initial_from(known) if known else None,
        )
    return render(request, T + "screener_person.html", {
        "form": form, "index": index, "number": index + 1,
        "total": answers["household"].get("members"), "state": screener.pack(answers),
    })


def _check_page(request: HttpRequest, answers: screener.Answers) -> HttpResponse:
    country = answers["country"]
    people = []
    for number, person in enumerate(answers["people"], start=1):
        form = PersonForm(country=country, index=number - 1)
        rows = [(form.fields[k].label, _shown(form, k, person)) for k in form.fields]
        people.append({"number": number, "rows": rows})
    household = HouseholdForm(country=country)
    return render(request, T + "screener_check.html", {
        "state": screener.pack(answers),
        "household": [
            (household.fields[k].label, _shown(household, k, answers["household"]))
            for k in household.fields
        ],
        "people": people,
    })


def _shown(form: Any, key: str, answers: Any) -> str:
    """An answer as the person gave it: the choice's label, the date, the amount."""
    value = answers.get(key, "head" if key == "role" else None)
    if isinstance(value, bool):
        value = "yes" if value else "no"
    if key == "vehicles":
        value = "yes" if value else "no"
    field = form.fields[key]
    choices = dict(getattr(field, "choices", []) or [])
    if value in choices:
        return str(choices[value])
    if key == "birth_date" and value:
        return long_date(dt.date.fromisoformat(value))
    if value in (None, ""):
        return _("None")
    return str(value)


def _next_page(request: HttpRequest, answers: screener.Answers) -> HttpResponse:
    index = screener.next_person(answers)
    if index is not None:
        return _person_page(request, answers, index)
    return _check_page(request, answers)


@public
@require_http_methods(["GET", "POST"])
def screener_household(request: HttpRequest) -> HttpResponse:
    country = _country()
    if request.method == "GET":
        return render(request, T + "screener_household.html", {
            "form": HouseholdForm(country=country),
            "state": screener.pack(screener.new_answers(country)),
        })
    answers = screener.unpack(request.POST.get("state", ""), country)
    if answers is None:
        return _expired(request)
    form = HouseholdForm(request.POST, country=country)
    if not form.is_valid():
        return render(request, T + "screener_household.html", {
            "form": form, "state": screener.pack(answers),
        })
    answers["household"] = form.answers()
    answers["people"] = answers["people"][: answers["household"]["members"]]
    return _next_page(request, answers)


@public
@require_POST
def screener_person(request: HttpRequest) -> HttpResponse:
    country = _country()
    answers = screener.unpack(request.POST.get("state", ""), country)
    try:
        index = int(request.POST.get("index", ""))
    except ValueError:
        index = -1
    if answers is None or not 0 <= index <= len(answers["people"]) or index >= int(
        answers["household"].get("members") or 0
    ):
        return _expired(request)
    form = PersonForm(request.POST, country=country, index=index)
    if not form.is_valid():
        return _person_page(request, answers, index, form)
    if index < len(answers["people"]):
        answers["people"][index] = form.answers()
    else:
        answers["people"].append(form.answers())
    return _next_page(request, answers)


@public
@require_POST
def screener_change(request: HttpRequest) -> HttpResponse:
    """Back from the check page to one answer, prefilled (a button per answer group)."""
    country = _country()
    answers = screener.unpack(request.POST.get("state", ""), country)
    if answers is None:
        return _expired(request)
    target = request.POST.get("change", "")
    if target.startswith("person-") and target[7:].isdigit():
        index = int(target[7:]) - 1
        if 0 <= index < len(answers["people"]):
            return _person_page(request, answers, index)
    form = HouseholdForm(country=country, initial=HouseholdForm.initial_from(answers["household"]))
    return render(request, T + "screener_household.html", {
        "form": form, "state": screener.pack(answers),
    })


@public
@require_POST
def screener_results(request: HttpRequest) -> HttpResponse:
    country = _country()
    answers = screener.unpack(request.POST.get("state", ""), country)
    if answers is None or not answers["people"] or screener.next_person(answers) is not None:
        return _expired(request)
    language = _language()
    words = {"yes": _("yes"), "no": _("no"), "none": "—", "member": _("member {n}")}
    period = screener.current_period(timezone.localdate())
    result = screener.screen(answers, period, language, words)
    benefits = [
        {
            "result": b,
            "amount": money(b.amount, b.currency, language),
            "members": [(m.member, money(m.amount, b.currency, language)) for m in b.members],
        }
        for b in result.benefits
    ]
    return render(request, T + "screener_results.html", {
        "benefits": benefits,
        "eligible": [b for b in result.benefits if b.eligible],
        "total": money(result.total, result.currency, language),
        "month": month_year(period.start, language),
        "explanation": result.explanation,
        "state": screener.pack(answers),
        "pension_available": pension.available(country),
    })


def _pension_page(request: HttpRequest, form: PensionForm, *, prefilled: bool) -> HttpResponse:
    country = _country()
    context: dict[str, Any] = {"form": form, "available": pension.available(country),
                               "prefilled": prefilled}
    if context["available"] and form.is_bound and form.is_valid():
        data = form.cleaned_data
        estimate = pension.estimate(
            country=country, birth_date=data["birth_date"], sex=data["sex"],
            record_years=data["record_years"], capital=data["capital"],
            today=timezone.localdate(),
        )
        language = _language()
        context.update({
            "estimate": estimate,
            "right_from": long_date(estimate.right_from, language),
            "age_years": estimate.age_months // 12, "age_rest": estimate.age_months % 12,
            "required_years": estimate.retirement_age_months // 12,
            "required_rest": estimate.retirement_age_months % 12,
            "amount": money(estimate.amount, estimate.currency, language),
            "minimum": money(estimate.minimum, estimate.currency, language),
            "capital_needed": money(estimate.capital_needed, estimate.currency, language),
            "capital": money(estimate.capital, estimate.currency, language),
        })
    return render(request, T + "pension.html", context)


@public
@require_http_methods(["GET", "POST"])
def pension_calculator(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _pension_page(request, PensionForm(request.POST), prefilled=False)
    return _pension_page(request, PensionForm(), prefilled=False)


@citizen_required
@require_GET
def pension_mine(request: HttpRequest) -> HttpResponseBase:
    """The calculator filled in from the registry for the signed-in citizen, and worked out."""
    if not pension.available(_country()):
        return redirect("portal_tools:pension")
    person = request.user.citizen_link.person  # type: ignore[union-attr]
    facts = pension_facts(person=person)
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else str(v)) for k, v in facts.items()}
    form = PensionForm(data) if {"record_years", "capital"} <= set(data) else PensionForm(
        initial=facts
    )
    return _pension_page(request, form, prefilled=True)
