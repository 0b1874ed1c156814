"""The auditor's search page and a citizen's "who looked at my data" page."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dost.audit.forms import AuditSearchForm
from dost.audit.models import Channel
from dost.audit.selectors import (
    access_records_search,
    accesses_for_person,
    change_records_search,
)
from dost.audit.services import access_record, staff_role
from dost.registry.models import Person
from dost.security.access import citizen_required, staff_required
from dost.security.selectors import citizen_person

PAGE = 200


def _start(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


@require_GET
@staff_required("audit.view_accessrecord")
def search(request: HttpRequest) -> HttpResponse:
    form = AuditSearchForm(request.GET or None)
    context: dict[str, object] = {"form": form}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        filters = {"personal_id": data["personal_id"], "actor_username": data["actor"],
                   "since": _start(data["since"]), "until": _start(data["until"])}
        context["accesses"] = list(access_records_search(**filters)[:PAGE])
        context["changes"] = list(change_records_search(**filters)[:PAGE])
        context["page"] = PAGE
        person = Person.objects.filter(
            personal_id=data["personal_id"].strip().upper()).first() if data["personal_id"] \
            else None
        if person is not None:
            # Reading who read a person's data is itself a read of it.
            access_record(person=person, what="audit log", purpose="audit",
                          channel=Channel.BACKOFFICE, actor=request.user,
                          actor_role=staff_role(request.user))
    return render(request, "audit/search.html", context)


@require_GET
@citizen_required
def mine(request: HttpRequest) -> HttpResponse:
    person = citizen_person(request)
    return render(request, "audit/mine.html", {
        "accesses": accesses_for_person(person) if person is not None else [],
    })
