"""Appointments at a centre (book, move, cancel) and rating a visit, for a signed-in citizen.

Slots and capacity come from `dost.centres.selectors.appointment_slots`; booking, moving,
cancelling and rating go through the centres' services, which re-check every slot.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from dost.centres import selectors as centre_selectors
from dost.centres import services as centre_services
from dost.centres.forms import RatingForm, SlotChoiceForm, SlotSearchForm
from dost.portal import selectors
from dost.portal.forms import CentreForm
from dost.portal.views.common import citizen_of, posted
from dost.security.access import citizen_required

MSG_BOOKED = _("Your appointment is booked.")
MSG_MOVED = _("Your appointment has been moved.")
MSG_CANCELLED = _("Your appointment has been cancelled.")
MSG_RATED = _("Thank you for rating your visit.")


@citizen_required
def appointments(request: HttpRequest) -> HttpResponse:
    me = citizen_of(request)
    rows = selectors.appointments_for_citizen(person=me.person)
    return render(request, "portal/appointments.html", {
        "me": me, "tab": "appointments",
        "appointments": [(a, selectors.appointment_is_booked(a)) for a in rows],
        "tickets": selectors.tickets_for_citizen(person=me.person),
    })


@citizen_required
def book_centre(request: HttpRequest) -> HttpResponse:
    centres = list(centre_selectors.centres_public().filter(country=settings.DOST_COUNTRY))
    form = CentreForm(request.GET or None, centres=centres)
    if request.GET and form.is_valid():
        return redirect("portal:book_slot", code=form.cleaned_data["centre"])
    return render(request, "portal/book_centre.html", {"form": form})


@citizen_required
@require_http_methods(["GET", "POST"])
def book_slot(request: HttpRequest, code: str) -> HttpResponse:
    """Choose the service and the day (GET), then a free time (POST books it)."""
    me = citizen_of(request)
    centre = centre_selectors.centre_get_public(code=code)
    groups = centre_selectors.service_groups_of(centre=centre)
    search = SlotSearchForm(request.GET or None, groups=groups)
    context: dict[str, object] = {"centre": centre, "search": search}
    if request.GET and search.is_valid():
        group = search.cleaned_data["service_group"]  # one of this centre's groups
        slots = centre_selectors.appointment_slots(
            service_group=group, day=search.cleaned_data["day"]
        )
        form = SlotChoiceForm(posted(request), slots=slots)
        if request.method == "POST" and form.is_valid():
            try:
                centre_services.appointment_book(
                    service_group=group, starts_at=form.starts_at(), name=me.person.full_name,
                    phone=me.person.phone, email=me.person.email, person=me.person,
                )
            except ValidationError as error:
                form.add_error("starts_at", error)
            else:
                messages.success(request, MSG_BOOKED)
                return redirect("portal:appointments")
        free = bool(form.fields["starts_at"].choices)  # type: ignore[attr-defined]
        context.update(group=group, form=form, free=free)
    return render(request, "portal/book_slot.html", context)


@citizen_required
@require_http_methods(["GET", "POST"])
def appointment_move(request: HttpRequest, appointment_id: int) -> HttpResponse:
    me = citizen_of(request)
    appointment = selectors.appointment_get_for_citizen(
        person=me.person, appointment_id=appointment_id
    )
    if not selectors.appointment_is_booked(appointment):
        return redirect("portal:appointments")
    try:
        day = dt.date.fromisoformat(request.GET.get("day") or "")
    except ValueError:
        day = timezone.localdate(appointment.starts_at)
    slots = centre_selectors.appointment_slots(service_group=appointment.service_group, day=day)
    form = SlotChoiceForm(posted(request), slots=slots)
    if request.method == "POST" and form.is_valid():
        try:
            centre_services.appointment_reschedule(
                appointment=appointment, starts_at=form.starts_at()
            )
        except ValidationError as error:
            form.add_error("starts_at", error)
        else:
            messages.success(request, MSG_MOVED)
            return redirect("portal:appointments")
    return render(request, "portal/appointment_move.html", {
        "appointment": appointment, "form": form, "day": day,
        "free": bool(form.fields["starts_at"].choices),  # type: ignore[attr-defined]
    })


@citizen_required
@require_http_methods(["GET", "POST"])
def appointment_cancel(request: HttpRequest, appointment_id: int) -> HttpResponse:
    me = citizen_of(request)
    appointment = selectors.appointment_get_for_citizen(
        person=me.person, appointment_id=appointment_id
    )
    if request.method == "POST":
        try:
            centre_services.appointment_cancel(appointment=appointment)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, MSG_CANCELLED)
        return redirect("portal:appointments")
    return render(request, "portal/appointment_cancel.html", {"appointment": appointment})


@citizen_required
@require_http_methods(["GET", "POST"])
def visit_rate(request: HttpRequest, ticket_id: int) -> HttpResponse:
    me = citizen_of(request)
    ticket = selectors.ticket_get_rateable(person=me.person, ticket_id=ticket_id)
    form = RatingForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            centre_services.rating_submit(
                ticket=ticket, quality=int(form.cleaned_data["quality"]),
                timeliness=int(form.cleaned_data["timeliness"]),
                courtesy=int(form.cleaned_data["courtesy"]),
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, MSG_RATED)
            return HttpResponseRedirect(reverse("portal:appointments"))
    return render(request, "portal/visit_rate.html", {"ticket": ticket, "form": form})
