"""The social registry: persons, households, memberships, dated facts and life events.

History is never overwritten. Facts are rows with a validity in time; a correction retracts the
old row (it stays, marked with when and why) and adds a new one. Changes to a person's own
attributes are written by services that record a `RegistryChange` with before and after.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Country(models.TextChoices):
    AZ = "az", _("Azerbaijan")
    UZ = "uz", _("Uzbekistan")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class ResidenceStatus(models.TextChoices):
    PERMANENT = "permanent", _("Permanent resident")
    TEMPORARY = "temporary", _("Temporary resident")
    NONE = "none", _("No residence permit")


class Role(models.TextChoices):
    HEAD = "head", _("Head")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    OTHER = "other", _("Other relative")


class Source(models.TextChoices):
    EVENT = "event", _("Life event from another state system")
    CHANGE_REQUEST = "change_request", _("Approved change request")
    IMPORT = "import", _("Bulk import")
    SYSTEM = "system", _("System")


# --- Geography -----------------------------------------------------------------------------


class Region(models.Model):
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=120)
    names = models.JSONField(_("names by language"), default=dict, blank=True)

    class Meta:
        ordering = ["country", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="districts")
    code = models.CharField(_("code"), max_length=16, unique=True)
    name = models.CharField(_("name"), max_length=120)
    names = models.JSONField(_("names by language"), default=dict, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name


# --- Persons and households ----------------------------------------------------------------


class Person(models.Model):
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    personal_id = models.CharField(_("personal ID"), max_length=14, unique=True)
    last_name = models.CharField(_("last name"), max_length=80)
    first_name = models.CharField(_("first name"), max_length=80)
    patronymic = models.CharField(_("patronymic"), max_length=80, blank=True)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    death_date = models.DateField(_("death date"), null=True, blank=True)
    citizenship = models.CharField(
        _("citizenship"), max_length=2, blank=True,
        help_text=_("ISO 3166 alpha-2; empty if stateless"),
    )
    residence_status = models.CharField(
        _("residence status"), max_length=12, choices=ResidenceStatus.choices,
        default=ResidenceStatus.PERMANENT,
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, null=True, blank=True, related_name="residents",
        verbose_name=_("residence district"),
    )
    mother = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    father = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    preferred_language = models.CharField(_("preferred language"), max_length=5, default="az")
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        indexes = [models.Index(fields=["last_name", "first_name"])]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name} ({self.personal_id})"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)


class Household(models.Model):
    reference = models.CharField(
        _("reference"), max_length=32, unique=True,
        help_text=_("stable key shared with other systems and import files"),
    )
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="households", verbose_name=_("district")
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_on = models.DateField(_("formed on"))
    dissolved_on = models.DateField(_("dissolved on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return f"{_('Household')} {self.pk}"


class Membership(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["household_id", "joined_on", "id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["person"], condition=Q(left_on__isnull=True),
                name="one_open_membership_per_person",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joined",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} in {self.household_id} as {self.role}"


# --- Dated facts ---------------------------------------------------------------------------


class Fact(models.Model):
    """Who recorded a fact, when, why and from where; a retracted fact stays, marked."""

    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    life_event = models.ForeignKey(
        "LifeEvent", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    retracted_at = models.DateTimeField(_("retracted at"), null=True, blank=True)
    retracted_reason = models.CharField(_("retraction reason"), max_length=300, blank=True)

    class Meta:
        abstract = True


class IncomeType(models.TextChoices):
    WAGE = "wage", _("Wage")
    PENSION = "pension", _("Pension")
    BENEFIT = "benefit", _("Benefit")
    ALIMONY = "alimony", _("Alimony")
    PROPERTY = "property", _("Property income")
    SUBSIDIARY_PLOT = "plot", _("Subsidiary plot")
    OTHER = "other", _("Other income")


class Income(Fact):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="incomes")
    month = models.DateField(_("month"), help_text=_("first day of the month"))
    type = models.CharField(_("type"), max_length=10, choices=IncomeType.choices)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["person_id", "month", "type"]
        verbose_name = _("monthly income")
        verbose_name_plural = _("monthly incomes")
        indexes = [models.Index(fields=["month", "person"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.type} {self.amount}"


class TerminationReason(models.TextChoices):
    EMPLOYEE = "employee", _("At the employee's request")
    AGREEMENT = "agreement", _("By agreement")
    REDUNDANCY = "redundancy", _("Redundancy or liquidation")
    DISMISSAL = "dismissal", _("Dismissal for cause")
    END_OF_TERM = "end_of_term", _("End of a fixed term")
    RETIREMENT = "retirement", _("Retirement")
    DEATH = "death", _("Death")
    OTHER = "other", _("Other")


class EmploymentContract(Fact):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="contracts")
    employer_name = models.CharField(_("employer"), max_length=200)
    employer_tax_id = models.CharField(_("employer tax ID"), max_length=20, blank=True)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    termination_reason = models.CharField(
        _("reason of termination"), max_length=12, choices=TerminationReason.choices, blank=True
    )
    monthly_wage = models.DecimalField(_("monthly wage"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["person_id", "start_date"]
        verbose_name = _("employment contract")
        verbose_name_plural = _("employment contracts")

    def __str__(self) -> str:
        return f"{self.employer_name} {self.start_date}–{self.end_date or ''}"


class InsuranceRecord(Fact):
    """The state social insurance fund's statement: record in months and pension capital."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="insurance_records")
    as_of = models.DateField(_("as of"))
    record_months = models.PositiveIntegerField(_("insurance record (months)"))
    pension_capital = models.DecimalField(_("pension capital"), max_digits=14, decimal_places=2)

    class Meta:
        ordering = ["person_id", "as_of"]
        verbose_name = _("insurance record")
        verbose_name_plural = _("insurance records")

    def __str__(self) -> str:
        return f"{self.as_of}: {self.record_months} months, {self.pension_capital}"


class DisabilityDetermination(Fact):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="disabilities")
    impairment_percent = models.PositiveSmallIntegerField(_("impairment %"))
    group = models.PositiveSmallIntegerField(_("group"), null=True, blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["person_id", "valid_from"]
        verbose_name = _("disability determination")
        verbose_name_plural = _("disability determinations")
        constraints = [
            models.CheckConstraint(
                condition=Q(impairment_percent__lte=100), name="impairment_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.impairment_percent}% from {self.valid_from}"


class Vehicle(Fact):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="vehicles")
    registration_number = models.CharField(_("registration number"), max_length=16)
    acquired_on = models.DateField(_("acquired on"))
    disposed_on = models.DateField(_("disposed on"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, default=0)
    issued_for_rehabilitation = models.BooleanField(_("issued for rehabilitation"), default=False)

    class Meta:
        ordering = ["person_id", "acquired_on"]
        verbose_name = _("vehicle")
        verbose_name_plural = _("vehicles")

    def __str__(self) -> str:
        return self.registration_number


class PropertyPurpose(models.TextChoices):
    RESIDENTIAL = "residential", _("Residential")
    LAND = "land", _("Land plot")
    COMMERCIAL = "commercial", _("Commercial")
    AGRICULTURAL = "agricultural", _("Agricultural")
    GARAGE = "garage", _("Garage")


class RealEstate(Fact):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="real_estate")
    purpose = models.CharField(_("purpose"), max_length=12, choices=PropertyPurpose.choices)
    address = models.CharField(_("address"), max_length=200)
    acquired_on = models.DateField(_("acquired on"))
    disposed_on = models.DateField(_("disposed on"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["person_id", "acquired_on"]
        verbose_name = _("real estate")
        verbose_name_plural = _("real estate")

    def __str__(self) -> str:
        return f"{self.purpose}: {self.address}"


class UtilityKind(models.TextChoices):
    ELECTRICITY = "electricity", _("Electricity")
    GAS = "gas", _("Gas")
    WATER = "water", _("Water")
    COMMUNICATION = "communication", _("Telephone and internet")
    OTHER = "other", _("Other utilities")


class UtilitySpending(Fact):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="utilities")
    month = models.DateField(_("month"), help_text=_("first day of the month"))
    kind = models.CharField(_("kind"), max_length=13, choices=UtilityKind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["household_id", "month", "kind"]
        verbose_name = _("utility spending")
        verbose_name_plural = _("utility spending")
        indexes = [models.Index(fields=["month", "household"])]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.kind} {self.amount}"


class StatusKind(models.TextChoices):
    CONSCRIPT = "conscript", _("Conscript on military service")
    STATE_CARE = "state_care", _("In full state care")
    IMPRISONED = "imprisoned", _("Serving a prison sentence")
    WANTED = "wanted", _("Wanted by the police")
    ABROAD = "abroad", _("Living abroad")
    JOBSEEKER = "jobseeker", _("Registered jobseeker")


# Statuses that take a person out of the family size (the other kinds are facts, not exclusions).
EXCLUDING_STATUSES = frozenset(
    {StatusKind.CONSCRIPT, StatusKind.STATE_CARE, StatusKind.IMPRISONED, StatusKind.WANTED,
     StatusKind.ABROAD}
)


class PersonStatus(Fact):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="statuses")
    kind = models.CharField(_("status"), max_length=10, choices=StatusKind.choices)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ["person_id", "valid_from"]
        verbose_name = _("status")
        verbose_name_plural = _("statuses")

    def __str__(self) -> str:
        return f"{self.kind} from {self.valid_from}"


class JobOffer(Fact):
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="job_offers")
    offered_on = models.DateField(_("offered on"))
    employer_name = models.CharField(_("employer"), max_length=200)
    suitable = models.BooleanField(_("suitable"), default=True)
    refused = models.BooleanField(_("refused"), default=False)

    class Meta:
        ordering = ["person_id", "offered_on"]
        verbose_name = _("job offer")
        verbose_name_plural = _("job offers")

    def __str__(self) -> str:
        return f"{self.employer_name} {self.offered_on}"


# --- Life events, change requests, change log ----------------------------------------------


class EventType(models.TextChoices):
    BIRTH = "birth", _("Birth")
    DEATH = "death", _("Death")
    MARRIAGE = "marriage", _("Marriage")
    DIVORCE = "divorce", _("Divorce")
    HOUSEHOLD_MOVE = "household_move", _("Household move")
    EMPLOYMENT_STARTED = "employment_started", _("Employment started")
    EMPLOYMENT_ENDED = "employment_ended", _("Employment ended")
    DISABILITY_DETERMINED = "disability_determined", _("Disability determined")
    IMPRISONMENT = "imprisonment", _("Imprisonment")
    RELEASE = "release", _("Release from prison")
    CONSCRIPTION = "conscription", _("Conscription")
    DISCHARGE = "discharge", _("Discharge from military service")


class LifeEvent(models.Model):
    """An applied life event. The primary key is the order in which consumers read the log."""

    sender = models.CharField(_("sending system"), max_length=40)
    sender_event_id = models.CharField(_("sender's event ID"), max_length=80)
    type = models.CharField(_("type"), max_length=24, choices=EventType.choices)
    occurred_on = models.DateField(_("occurred on"))
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="life_events",
        help_text=_("the person the event is about"),
    )
    payload = models.JSONField(_("payload"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("life event")
        verbose_name_plural = _("life events")
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "sender_event_id"], name="event_once_per_sender"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.occurred_on} ({self.sender}:{self.sender_event_id})"


class RejectedEvent(models.Model):
    """An event that could not be applied, kept with the reason so the sender can fix and resend."""

    sender = models.CharField(max_length=40)
    sender_event_id = models.CharField(max_length=80)
    type = models.CharField(max_length=40)
    payload = models.JSONField()
    reason = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("rejected event")
        verbose_name_plural = _("rejected events")

    def __str__(self) -> str:
        return f"{self.sender}:{self.sender_event_id} {self.reason[:60]}"


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPLIED = "applied", _("Approved and applied")
    REJECTED = "rejected", _("Rejected")


class ChangeRequest(models.Model):
    """A staff edit to registry data, applied only when a second person approves it."""

    kind = models.CharField(_("kind of change"), max_length=32)
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="change_requests"
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="change_requests"
    )
    payload = models.JSONField(_("requested change"))
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=ChangeRequestStatus.choices,
        default=ChangeRequestStatus.PENDING,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        permissions = [("approve_changerequest", "Can approve registry change requests")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class ImportBatch(models.Model):
    file_name = models.CharField(max_length=300)
    kind = models.CharField(max_length=20)
    rows = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.rows})"


class RegistryChange(models.Model):
    """Append-only log of every change to registry data, with before and after."""

    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=16, choices=Source.choices)
    reason = models.CharField(max_length=300, blank=True)
    life_event = models.ForeignKey(
        LifeEvent, on_delete=models.PROTECT, null=True, blank=True, related_name="changes"
    )
    change_request = models.ForeignKey(
        ChangeRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="changes"
    )
    import_batch = models.ForeignKey(
        ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="changes"
    )
    model = models.CharField(max_length=40)
    object_id = models.BigIntegerField()
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("registry change")
        verbose_name_plural = _("registry changes")
        indexes = [models.Index(fields=["model", "object_id"])]

    def __str__(self) -> str:
        return f"{self.model}#{self.object_id} {self.at:%Y-%m-%d %H:%M}"
