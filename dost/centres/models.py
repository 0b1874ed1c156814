"""Service centres: centres and their hours, counters and shifts, the e-queue, appointments,
ratings and the escalations low ratings open.

Permissions (all declared on `Centre`, granted through groups):
- `centres.operate_counter`: call, recall, serve, transfer tickets at a counter the user has a
  shift on today;
- `centres.supervise_centre`: handle escalations and see the KPI dashboard of the centres the
  user supervises (`Centre.supervisors`).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dost.catalog.models import Service, localized
from dost.registry.models import Country, Person

# A service group whose passports give no front-office minutes still needs a slot length.
DEFAULT_STANDARD_MINUTES = 15


def new_token() -> str:
    # 192 bits: a rating or booking link cannot be guessed, and is short enough for a QR code.
    return secrets.token_urlsafe(24)


class Centre(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    names = models.JSONField(_("names by language"), default=dict)
    address = models.CharField(_("address"), max_length=200, blank=True)
    supervisors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="supervised_centres",
        verbose_name=_("supervisors"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("centre")
        verbose_name_plural = _("centres")
        permissions = [
            ("operate_counter", _("Can call and serve tickets at a counter")),
            ("supervise_centre", _("Can handle escalations and see the KPIs of a centre")),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localized(self.names) or self.code


class OpeningHours(models.Model):
    """The hours of one weekday (0 is Monday). A weekday with no row is closed."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=[(i, str(i)) for i in range(7)],
    )
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        ordering = ["centre", "weekday"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        constraints = [
            models.UniqueConstraint(fields=["centre", "weekday"], name="centres_hours_day_uniq"),
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")), name="centres_hours_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.weekday} {self.opens}-{self.closes}"


class CentreClosure(models.Model):
    """A day one centre is closed on top of the country's days off (repairs, local events)."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="closures")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["centre", "date"]
        verbose_name = _("centre closure")
        verbose_name_plural = _("centre closures")
        constraints = [
            models.UniqueConstraint(fields=["centre", "date"], name="centres_closure_day_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.date.isoformat()}"


class ServiceGroup(models.Model):
    """A queue of a centre: a letter (its tickets are A-001, A-002, …) and the services it serves.

    The standard minutes of a visit come from the service passports (front-office minutes, the
    longest of the group's services) unless `standard_minutes` overrides them.
    """

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="service_groups")
    letter = models.CharField(_("letter"), max_length=2)
    names = models.JSONField(_("names by language"), default=dict)
    services = models.ManyToManyField(
        Service, blank=True, related_name="centre_groups", verbose_name=_("services"),
    )
    standard_minutes = models.PositiveSmallIntegerField(
        _("standard minutes"), null=True, blank=True,
        help_text=_("Leave empty to use the service passports' front-office minutes."),
    )
    appointment_share = models.PositiveSmallIntegerField(
        _("share of capacity for appointments (%)"), default=50,
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["centre", "position", "letter"]
        verbose_name = _("service group")
        verbose_name_plural = _("service groups")
        constraints = [
            models.UniqueConstraint(fields=["centre", "letter"], name="centres_group_letter_uniq"),
            models.CheckConstraint(
                condition=models.Q(appointment_share__lte=100), name="centres_group_share_pct",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.letter} {self.name}"

    @property
    def name(self) -> str:
        return localized(self.names) or self.letter

    def effective_standard_minutes(self) -> int:
        if self.standard_minutes:
            return self.standard_minutes
        minutes = [s.front_office_minutes for s in self.services.all() if s.front_office_minutes]
        return max(minutes) if minutes else DEFAULT_STANDARD_MINUTES


class Counter(models.Model):
    """A window of a centre. `priority_streak` counts the priority tickets it called in a row
    (the fairness rule, docs/centres.md)."""

    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="counters")
    number = models.PositiveSmallIntegerField(_("number"))
    service_groups = models.ManyToManyField(
        ServiceGroup, related_name="counters", verbose_name=_("service groups"),
    )
    priority_streak = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["centre", "number"]
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        constraints = [
            models.UniqueConstraint(fields=["centre", "number"], name="centres_counter_num_uniq"),
        ]

    def __str__(self) -> str:
        return str(_("Counter %(number)s") % {"number": self.number})


class Shift(models.Model):
    """A staff member at a counter on a day, between two times."""

    counter = models.ForeignKey(Counter, on_delete=models.CASCADE, related_name="shifts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="counter_shifts",
    )
    date = models.DateField(_("date"))
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "starts"]
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        indexes = [models.Index(fields=["user", "date"], name="centres_shift_user_day")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.counter_id} {self.date} {self.starts}-{self.ends}"


class PriorityReason(models.TextChoices):
    NONE = "", _("None")
    DISABILITY = "disability", _("Person with a disability")
    ELDERLY = "elderly", _("Elderly person")
    PREGNANT = "pregnant", _("Pregnant woman")


class TicketSource(models.TextChoices):
    KIOSK = "kiosk", _("Kiosk")
    PORTAL = "portal", _("Portal (remote queue)")
    APPOINTMENT = "appointment", _("Appointment")
    TRANSFER = "transfer", _("Transfer")


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    CALLED = "called", _("Called")
    SERVING = "serving", _("Being served")
    DONE = "done", _("Served")
    NO_SHOW = "no_show", _("Did not come")
    TRANSFERRED = "transferred", _("Transferred")
    CANCELLED = "cancelled", _("Cancelled")


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    CANCELLED = "cancelled", _("Cancelled")
    CHECKED_IN = "checked_in", _("Checked in")


class Appointment(models.Model):
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="appointments")
    service_group = models.ForeignKey(
        ServiceGroup, on_delete=models.PROTECT, related_name="appointments",
    )
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointments",
    )
    name = models.CharField(_("name"), max_length=160)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    status = models.CharField(
        _("status"), max_length=12, choices=AppointmentStatus.choices,
        default=AppointmentStatus.BOOKED,
    )
    token = models.CharField(max_length=40, unique=True, default=new_token, editable=False)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        indexes = [
            models.Index(fields=["service_group", "starts_at"], name="centres_appt_slot"),
        ]

    def __str__(self) -> str:
        return f"{self.service_group_id} {self.starts_at.isoformat()}"

    @property
    def code(self) -> str:
        # What a visitor types at the kiosk to check in: short, and enough with the centre.
        return self.token[:8]


class Ticket(models.Model):
    """A place in a queue of a centre for one day.

    `queued_at` orders the queue (the issue time; a transferred ticket keeps its original
    place, an appointment ticket queues from its slot time). `case_reference` names the case the
    visit produced; it becomes a foreign key when the cases app exists.
    """

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="tickets")
    service_group = models.ForeignKey(
        ServiceGroup, on_delete=models.PROTECT, related_name="tickets",
    )
    service = models.ForeignKey(
        Service, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets",
    )
    day = models.DateField(_("day"))
    number = models.PositiveIntegerField(_("number"))
    is_priority = models.BooleanField(_("priority lane"), default=False)
    priority_reason = models.CharField(
        _("priority reason"), max_length=12, choices=PriorityReason.choices, blank=True,
        default=PriorityReason.NONE,
    )
    source = models.CharField(_("source"), max_length=12, choices=TicketSource.choices)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets",
    )
    appointment = models.OneToOneField(
        Appointment, on_delete=models.SET_NULL, null=True, blank=True, related_name="ticket",
    )
    transferred_from = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="transferred_to",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TicketStatus.choices, default=TicketStatus.WAITING,
    )
    issued_at = models.DateTimeField(_("issued at"))
    queued_at = models.DateTimeField(_("queued at"))
    called_at = models.DateTimeField(_("first called at"), null=True, blank=True)
    last_called_at = models.DateTimeField(_("last called at"), null=True, blank=True)
    recall_count = models.PositiveSmallIntegerField(_("recalls"), default=0)
    service_started_at = models.DateTimeField(_("service started at"), null=True, blank=True)
    service_ended_at = models.DateTimeField(_("service ended at"), null=True, blank=True)
    counter = models.ForeignKey(
        Counter, on_delete=models.PROTECT, null=True, blank=True, related_name="tickets",
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="served_tickets",
    )
    case_reference = models.CharField(_("case reference"), max_length=40, blank=True)
    rating_token = models.CharField(
        max_length=40, unique=True, default=new_token, editable=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["day", "queued_at", "id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        constraints = [
            models.UniqueConstraint(
                fields=["service_group", "day", "number"], name="centres_ticket_number_uniq",
            ),
        ]
        indexes = [
            # The calling query walks a centre's waiting tickets of one lane in calling order
            # and keeps the first of the counter's groups: no sort, whatever the group count.
            models.Index(
                fields=["centre", "day", "is_priority", "queued_at", "id"],
                condition=models.Q(status="waiting"), name="centres_ticket_waiting",
            ),
            models.Index(fields=["centre", "day", "status"], name="centres_ticket_day"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        letter = self.service_group.letter if self.service_group_id else "?"
        return f"{letter}-{self.number:03d}"

    @property
    def wait_seconds(self) -> float | None:
        if self.called_at is None:
            return None
        return (self.called_at - self.issued_at).total_seconds()

    @property
    def service_seconds(self) -> float | None:
        if self.service_started_at is None or self.service_ended_at is None:
            return None
        return (self.service_ended_at - self.service_started_at).total_seconds()


class RatingChannel(models.TextChoices):
    LINK = "link", _("Link or QR code")
    KIOSK = "kiosk", _("Kiosk")
    SMS = "sms", _("SMS reply")


SCORE_CHOICES = [(i, str(i)) for i in range(1, 6)]


class Rating(models.Model):
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    quality = models.PositiveSmallIntegerField(_("quality"), choices=SCORE_CHOICES)
    timeliness = models.PositiveSmallIntegerField(_("timeliness"), choices=SCORE_CHOICES)
    courtesy = models.PositiveSmallIntegerField(_("courtesy"), choices=SCORE_CHOICES)
    comment = models.TextField(_("comment"), blank=True, max_length=2000)
    channel = models.CharField(_("channel"), max_length=8, choices=RatingChannel.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quality__range=(1, 5), timeliness__range=(1, 5),
                                   courtesy__range=(1, 5)),
                name="centres_rating_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.quality}/{self.timeliness}/{self.courtesy}"

    @property
    def lowest(self) -> int:
        return min(self.quality, self.timeliness, self.courtesy)

    @property
    def is_satisfied(self) -> bool:
        # The same line as escalation: a visit is satisfying when no score is 3 or lower.
        return self.lowest >= 4


class EscalationStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class Escalation(models.Model):
    rating = models.OneToOneField(Rating, on_delete=models.CASCADE, related_name="escalation")
    centre = models.ForeignKey(Centre, on_delete=models.CASCADE, related_name="escalations")
    status = models.CharField(
        _("status"), max_length=10, choices=EscalationStatus.choices,
        default=EscalationStatus.OPEN,
    )
    deadline = models.DateField(_("deadline"))
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="resolved_escalations",
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        indexes = [models.Index(fields=["centre", "status"], name="centres_escalation_open")]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.rating_id} {self.status}"
