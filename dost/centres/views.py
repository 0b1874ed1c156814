"""Pages of a centre.

Public (a centre's hall): the kiosk, the printed ticket, the display board, appointment
booking and the rating page (reached by the unguessable token on the ticket).
Staff (login and permissions, see models.py): the counter desk for operators, escalations and
the KPI dashboard for supervisors.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from dost.centres import selectors, services
from dost.centres.charts import bar_chart
from dost.centres.forms import (
    BREAKDOWN_LABELS,
    BookingForm,
    CodeForm,
    EndServiceForm,
    KioskForm,
    KpiFilterForm,
    RatingForm,
    ResolveForm,
    SlotChoiceForm,
    SlotSearchForm,
    TransferForm,
)
from dost.centres.kpis import centre_kpis, visitors_by_hour
from dost.centres.models import (
    AppointmentStatus,
    Centre,
    RatingChannel,
    TicketSource,
    TicketStatus,
)
from dost.security.access import public, staff_required
from dost.security.selectors import staff_scope

LOGIN_URL = reverse_lazy("centres:login")
MSG_UNKNOWN_CODE = gettext_lazy("No booking or ticket has this code. Check the code and try again.")
BOARD_REFRESH_SECONDS = 5

View = Callable[..., HttpResponse]


def staff_view(permission: str) -> Callable[[View], Any]:
    """Signed-in staff with the permission (and the second factor), sent to the centres' own
    sign-in if not signed in; the selectors check the object (shift, supervised centre)."""
    return staff_required(permission, login_url="centres:login")


def _in_scope(request: HttpRequest, centre: Centre) -> Centre:
    # Staff assigned to centres or regions see only theirs (dost.security.selectors).
    if not staff_scope(request.user).allows_centre(centre.pk):
        raise Http404
    return centre


def _posted(request: HttpRequest) -> QueryDict | None:
    # Not `request.POST or None`: an empty POST is still a submission to validate.
    return request.POST if request.method == "POST" else None


def _error_text(error: ValidationError) -> str:
    return " ".join(str(m) for m in error.messages)


# Public ------------------------------------------------------------------------------------


@public
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "centres/index.html", {"centres": selectors.centres_public()})


@public
def kiosk(request: HttpRequest, code: str) -> HttpResponse:
    centre = selectors.centre_get_public(code=code)
    groups = selectors.service_groups_of(centre=centre)
    form = KioskForm(_posted(request), groups=groups)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = services.ticket_issue(
                service_group=form.cleaned_data["service_group"], source=TicketSource.KIOSK,
                priority_reason=form.cleaned_data["priority_reason"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("centres:ticket", token=ticket.rating_token)
    return render(request, "centres/kiosk.html", {
        "centre": centre, "form": form, "code_form": CodeForm(),
        "queues": selectors.board_state(centre=centre).queues,
    })


@public
@require_POST
def kiosk_code(request: HttpRequest, code: str) -> HttpResponse:
    """One box for the code printed on a booking (check in) or a ticket (rate the visit)."""
    centre = selectors.centre_get_public(code=code)
    form = CodeForm(request.POST)
    if form.is_valid():
        entered = form.cleaned_data["code"]
        appointment = selectors.appointment_get_by_code(centre=centre, code=entered)
        if appointment is not None and appointment.status == AppointmentStatus.BOOKED:
            try:
                ticket = services.appointment_check_in(appointment=appointment)
            except ValidationError as exc:
                form.add_error("code", exc)
            else:
                return redirect("centres:ticket", token=ticket.rating_token)
        elif rated := selectors.ticket_get_by_code(centre=centre, code=entered):
            url = reverse("centres:rate", args=[rated.rating_token])
            return HttpResponseRedirect(f"{url}?channel={RatingChannel.KIOSK}")
        else:
            form.add_error("code", MSG_UNKNOWN_CODE)
    groups = selectors.service_groups_of(centre=centre)
    return render(request, "centres/kiosk.html", {
        "centre": centre, "form": KioskForm(groups=groups), "code_form": form,
        "queues": selectors.board_state(centre=centre).queues,
    }, status=400)


def _qr_svg(url: str) -> str:
    qr = segno.make(url, error="m")
    # segno writes plain SVG markup (no scripts); it is ours to trust.
    return mark_safe(qr.svg_inline(scale=4, title=_("Rate your visit"), svgclass="qr"))  # noqa: S308


@public
def ticket(request: HttpRequest, token: str) -> HttpResponse:
    ticket = selectors.ticket_get_by_token(token=token)
    rate_url = request.build_absolute_uri(reverse("centres:rate", args=[token]))
    waiting = ticket.status == TicketStatus.WAITING
    return render(request, "centres/ticket.html", {
        "ticket": ticket, "rate_url": rate_url, "qr": _qr_svg(rate_url),
        "wait_minutes": selectors.estimated_wait_minutes(
            group=ticket.service_group, ticket=ticket,
        ) if waiting else None,
    })


@public
def rate(request: HttpRequest, token: str) -> HttpResponse:
    ticket = selectors.ticket_get_by_token(token=token)
    channel = request.GET.get("channel") or request.POST.get("channel") or RatingChannel.LINK
    if channel not in RatingChannel.values:
        channel = RatingChannel.LINK
    form = RatingForm(_posted(request))
    already = hasattr(ticket, "rating")
    if request.method == "POST" and not already and form.is_valid():
        try:
            services.rating_submit(ticket=ticket, channel=channel, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("centres:rated", token=token)
    return render(request, "centres/rate.html", {
        "ticket": ticket, "form": form, "already": already, "channel": channel,
        "finished": ticket.status == TicketStatus.DONE,
    })


@public
def rated(request: HttpRequest, token: str) -> HttpResponse:
    ticket = selectors.ticket_get_by_token(token=token)
    return render(request, "centres/rated.html", {"ticket": ticket})


@public
def board(request: HttpRequest, code: str) -> HttpResponse:
    centre = selectors.centre_get_public(code=code)
    context = {
        "state": selectors.board_state(centre=centre),
        "refresh_seconds": BOARD_REFRESH_SECONDS,
        "fallback_refresh_seconds": BOARD_REFRESH_SECONDS * 3,
    }
    template = "centres/board.html#board" if request.GET.get("fragment") else "centres/board.html"
    return render(request, template, context)


@public
def appointments(request: HttpRequest, code: str) -> HttpResponse:
    """Choose a service and a day (GET), then a free time and contact details (POST books)."""
    centre = selectors.centre_get_public(code=code)
    groups = selectors.service_groups_of(centre=centre)
    search = SlotSearchForm(request.GET or None, groups=groups)
    context: dict[str, Any] = {"centre": centre, "search": search}
    if search.is_bound and search.is_valid():
        group = search.cleaned_data["service_group"]
        slots = selectors.appointment_slots(service_group=group, day=search.cleaned_data["day"])
        form = BookingForm(_posted(request), slots=slots)
        if request.method == "POST" and form.is_valid():
            try:
                appointment = services.appointment_book(
                    service_group=group, starts_at=form.starts_at(),
                    name=form.cleaned_data["name"], phone=form.cleaned_data["phone"],
                    email=form.cleaned_data["email"],
                )
            except ValidationError as exc:
                form.add_error("starts_at", exc)
            else:
                return redirect("centres:appointment", token=appointment.token)
        context.update(group=group, slots=slots, form=form)
    return render(request, "centres/appointments.html", context)


@public
def appointment(request: HttpRequest, token: str) -> HttpResponse:
    """Manage one booking: see it, cancel it, or move it to another time of a chosen day."""
    appointment = selectors.appointment_get_by_token(token=token)
    day_text = request.GET.get("day") or ""
    try:
        day = dt.date.fromisoformat(day_text)
    except ValueError:
        day = timezone.localdate(appointment.starts_at)
    slots = selectors.appointment_slots(service_group=appointment.service_group, day=day)
    form = SlotChoiceForm(_posted(request), slots=slots)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "cancel":
                services.appointment_cancel(appointment=appointment)
                messages.success(request, _("Your appointment is cancelled."))
                return redirect("centres:appointment", token=token)
            if form.is_valid():
                services.appointment_reschedule(appointment=appointment,
                                                starts_at=form.starts_at())
                messages.success(request, _("Your appointment is moved."))
                return redirect("centres:appointment", token=token)
        except ValidationError as exc:
            form.add_error(None, exc)
    return render(request, "centres/appointment.html", {
        "appointment": appointment, "form": form, "day": day,
        "booked": appointment.status == AppointmentStatus.BOOKED,
    })


# Staff -------------------------------------------------------------------------------------


class StaffLoginView(LoginView):
    template_name = "centres/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return reverse("centres:staff")


@staff_required(login_url="centres:login")
def staff(request: HttpRequest) -> HttpResponse:
    return render(request, "centres/staff.html", {
        "counters": selectors.counters_for_operator(user=request.user),
        "centres": selectors.centres_for_supervisor(user=request.user),
    })


@staff_view(selectors.PERM_OPERATE)
def desk(request: HttpRequest, counter_id: int) -> HttpResponse:
    counter = selectors.counter_get_for_operator(user=request.user, counter_id=counter_id)
    _in_scope(request, counter.centre)
    current = selectors.counter_current_ticket(counter=counter)
    groups = selectors.service_groups_of(centre=counter.centre)
    if current is not None:
        groups = groups.exclude(pk=current.service_group_id)
    return render(request, "centres/desk.html", {
        "counter": counter, "current": current,
        "counts": selectors.queue_counts(counter=counter),
        "end_form": EndServiceForm(), "transfer_form": TransferForm(groups=groups),
    })


@require_POST
@staff_view(selectors.PERM_OPERATE)
def desk_call(request: HttpRequest, counter_id: int) -> HttpResponse:
    counter = selectors.counter_get_for_operator(user=request.user, counter_id=counter_id)
    try:
        called = services.ticket_call_next(counter=counter, operator=request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        if called is None:
            messages.info(request, _("Nobody is waiting."))
        else:
            messages.success(request, _("Called %(code)s.") % {"code": called.code})
    return redirect("centres:desk", counter_id=counter.pk)


@require_POST
@staff_view(selectors.PERM_OPERATE)
def desk_action(request: HttpRequest, counter_id: int, ticket_id: int, action: str) -> HttpResponse:
    counter = selectors.counter_get_for_operator(user=request.user, counter_id=counter_id)
    ticket = selectors.ticket_get_for_counter(counter=counter, ticket_id=ticket_id)
    try:
        if action == "recall":
            services.ticket_recall(ticket=ticket)
        elif action == "no-show":
            services.ticket_no_show(ticket=ticket)
        elif action == "start":
            services.ticket_start_service(ticket=ticket)
        elif action == "end":
            end = EndServiceForm(request.POST)
            reference = end.cleaned_data["case_reference"] if end.is_valid() else ""
            services.ticket_end_service(ticket=ticket, case_reference=reference)
        elif action == "transfer":
            transfer = TransferForm(
                request.POST, groups=selectors.service_groups_of(centre=counter.centre),
            )
            if not transfer.is_valid():
                messages.error(request, _("Choose the service to transfer to."))
                return redirect("centres:desk", counter_id=counter.pk)
            moved = services.ticket_transfer(
                ticket=ticket, service_group=transfer.cleaned_data["service_group"],
            )
            messages.success(request, _("Transferred as %(code)s.") % {"code": moved.code})
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    return redirect("centres:desk", counter_id=counter.pk)


@staff_view(selectors.PERM_SUPERVISE)
def escalations(request: HttpRequest, code: str) -> HttpResponse:
    centre = _in_scope(request, selectors.centre_get_for_supervisor(user=request.user, code=code))
    rows = selectors.escalations_for_supervisor(user=request.user).filter(centre=centre)
    return render(request, "centres/escalations.html", {
        "centre": centre, "escalations": rows, "today": timezone.localdate(),
    })


@staff_view(selectors.PERM_SUPERVISE)
def escalation(request: HttpRequest, escalation_id: int) -> HttpResponse:
    item = selectors.escalation_get_for_supervisor(user=request.user, escalation_id=escalation_id)
    form = ResolveForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.escalation_resolve(
                escalation=item, user=request.user,  # type: ignore[arg-type]
                resolution=form.cleaned_data["resolution"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The escalation is resolved."))
            return redirect("centres:escalations", code=item.centre.code)
    return render(request, "centres/escalation.html", {"escalation": item, "form": form})


@staff_view(selectors.PERM_SUPERVISE)
def kpis(request: HttpRequest, code: str) -> HttpResponse:
    centre = _in_scope(request, selectors.centre_get_for_supervisor(user=request.user, code=code))
    today = timezone.localdate()
    form = KpiFilterForm(request.GET or {"start": today, "end": today, "by": "service_group"})
    context: dict[str, Any] = {"centre": centre, "form": form}
    if form.is_valid():
        start, end, by = (form.cleaned_data[k] for k in ("start", "end", "by"))
        rows = centre_kpis(centre=centre, start=start, end=end, breakdown=by)
        hours = visitors_by_hour(centre=centre, start=start, end=end)
        context.update(
            rows=rows, totals=centre_kpis(centre=centre, start=start, end=end),
            hours=hours, by_label=BREAKDOWN_LABELS[by],
            charts=[
                bar_chart(
                    slug="hours", title=_("Visitors by hour of the day"),
                    description=_("Tickets issued in each hour; the table below the chart "
                                  "gives the same figures."),
                    values=[(f"{h:02d}", float(n)) for h, n in hours],
                ),
                bar_chart(
                    slug="wait", title=_("Average wait (minutes) per %(by)s") % {
                        "by": BREAKDOWN_LABELS[by]},
                    description=_("The KPI table gives the same figures."),
                    values=[(r.label, None if r.wait_avg is None else r.wait_avg / 60)
                            for r in rows],
                ),
                bar_chart(
                    slug="satisfaction", title=_("Satisfied visitors (%%) per %(by)s") % {
                        "by": BREAKDOWN_LABELS[by]},
                    description=_("Share of ratings with every score 4 or 5; the KPI table "
                                  "gives the same figures."),
                    values=[(r.label, r.satisfaction_pct) for r in rows],
                ),
            ],
        )
    return render(request, "centres/kpis.html", context)
