"""The fixture world of the back-office tests: the Azerbaijani catalogue and calendar, a centre,
staff holding exactly what their role holds in dost/security/roles.py, and a household (the
Məmmədov family) with facts, events, cases, an award with payments and a rated centre visit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import pytest
from django.contrib.auth.models import Permission, User
from django.utils import timezone, translation

from dost.benefits.models import Award, AwardAmount, Frequency, Payment, PaymentKind, PayrollRun
from dost.cases.models import (
    Case,
    CaseStatus,
    Decision,
    DecisionBasis,
    Outcome,
    QueueRole,
)
from dost.catalog.models import Service, ServiceCategory
from dost.catalog.services import holidays_load
from dost.catalog.working_days import add_working_days, calendar_forget
from dost.centres.models import Centre, Rating, ServiceGroup, Ticket
from dost.registry.models import (
    DisabilityDetermination,
    EventType,
    Household,
    Income,
    IncomeType,
    LifeEvent,
    Person,
    Role,
    Source,
    UtilitySpending,
    Vehicle,
)
from dost.registry.tests.factories import HouseholdFactory, MembershipFactory, PersonFactory
from dost.security.roles import ROLE_PERMISSIONS
from dost.security.roles import Role as StaffRole

PASSWORD = "pw-not-secret-123"
TSSA = "05-01-01-01"
NAMES = {"az": "Sınaq xidməti", "uz": "Sinov xizmati", "ru": "Тестовая услуга",
         "en": "Test service"}


@pytest.fixture(autouse=True)
def _backoffice_test_setup(settings: Any) -> Iterator[None]:
    settings.ROOT_URLCONF = "dost.backoffice.tests.urls"
    settings.LANGUAGE_CODE = "en"
    # Fast hashing: the staff users are made per test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The TOTP second factor has its own tests (dost/security); these sign in with a password.
    settings.DOST_STAFF_2FA = False
    calendar_forget()
    with translation.override("en"):
        yield
    calendar_forget()


def staff_user(username: str, role: StaffRole, *extra: str, is_staff: bool = True) -> User:
    """A staff user holding exactly the permissions of `role` (and `extra`)."""
    user = User.objects.create_user(username, password=PASSWORD, is_staff=is_staff,
                                    first_name=username.title())
    for name in [*ROLE_PERMISSIONS[role], *extra]:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return User.objects.get(pk=user.pk)  # fresh: no stale permission cache


@dataclass
class World:
    centre: Centre
    staff_service: Service
    tssa: Service
    household: Household
    head: Person
    spouse: Person
    child: Person
    officer: User
    supervisor: User
    open_case: Case
    rules_case: Case


def person(last: str, first: str, **extra: Any) -> Person:
    return cast(Person, PersonFactory(last_name=last, first_name=first, **extra))


def make_world() -> World:
    holidays_load(country="az")
    category = ServiceCategory.objects.create(code="benefits", names=NAMES)
    today = timezone.localdate()
    centre = Centre.objects.create(
        code="baku-1", country="az",
        names={"az": "Bakı 1", "uz": "Boku 1", "ru": "Баку 1", "en": "Baku 1"},
    )
    staff_service = Service.objects.create(
        code="99-01-01-01", country="az", category=category,
        names=NAMES, intake_channels=["centre", "portal"], response_channels=["portal"],
        eligible_users=["citizen"],
        refusal_grounds=[{"code": "not_eligible", "text": {
            "az": "Alıcı kateqoriyasına aid deyil", "uz": "Toifaga kirmaydi",
            "ru": "Не относится к категории получателей",
            "en": "The applicant is not in the category"}}],
        deadline=10, deadline_unit="working_days", automation="manual",
    )
    tssa = Service.objects.create(
        code=TSSA, country="az", category=category, rule_outputs=["tssa_amount"],
        names={"az": "Ünvanlı dövlət sosial yardımı", "uz": "Manzilli ijtimoiy yordam",
               "ru": "Адресная социальная помощь", "en": "Targeted state social assistance"},
        intake_channels=["portal", "proactive"], response_channels=["portal"],
        eligible_users=["citizen"], deadline=15, deadline_unit="working_days",
        automation="automatic",
    )
    household = cast(Household, HouseholdFactory(reference="H-BO-0001"))
    head = person("Məmmədov", "Elvin", patronymic="Rəşad oğlu", birth_date=dt.date(1980, 5, 1))
    spouse = person("Əliyeva", "Günel", sex="F", birth_date=dt.date(1983, 2, 3))
    child = person("Məmmədov", "Rəşad", birth_date=dt.date(2012, 9, 9))
    for role, member in ((Role.HEAD, head), (Role.SPOUSE, spouse), (Role.CHILD, child)):
        MembershipFactory(household=household, person=member, role=role,
                          joined_on=dt.date(2010, 1, 1))
    # Others in the registry: near and far spellings.
    person("Əliyev", "Rəşad")
    person("Xəlilov", "Kamran")
    person("Hüseynov", "Orxan")
    person("Cəfərov", "Vüqar")
    month = today.replace(day=1)
    Income.objects.create(person=head, month=month, type=IncomeType.WAGE,
                          amount=Decimal("450.00"), source=Source.SYSTEM)
    DisabilityDetermination.objects.create(person=head, impairment_percent=60, group=2,
                                           valid_from=dt.date(2020, 1, 1), source=Source.SYSTEM)
    Vehicle.objects.create(person=head, registration_number="10-AA-123",
                           acquired_on=dt.date(2019, 4, 1), source=Source.SYSTEM)
    UtilitySpending.objects.create(household=household, month=month, kind="gas",
                                   amount=Decimal("21.50"), source=Source.SYSTEM)
    LifeEvent.objects.create(sender="civil-registry", sender_event_id="B-1",
                             type=EventType.BIRTH, occurred_on=dt.date(2012, 9, 9),
                             person=child, payload={})
    officer = staff_user("officer", StaffRole.CASE_OFFICER)
    supervisor = staff_user("supervisor", StaffRole.SUPERVISOR)
    centre.supervisors.add(supervisor)
    open_case = Case.objects.create(
        service=staff_service, applicant=head, household=household, channel="centre",
        period=f"{today:%Y-%m}", status=CaseStatus.SUBMITTED, centre=centre,
        queue_role=QueueRole.OFFICER, submitted_on=today,
        due_on=add_working_days(today, 10, "az"),
    )
    rules_case = Case.objects.create(
        service=tssa, applicant=spouse, household=household, channel="portal",
        period=f"{today:%Y-%m}", status=CaseStatus.DECIDED, centre=centre, queue_role="",
        submitted_on=today - dt.timedelta(days=3), due_on=add_working_days(today, 5, "az"),
        decided_at=timezone.now(),
    )
    decision = Decision.objects.create(
        case=rules_case, basis=DecisionBasis.RULES, outcome=Outcome.REFUSED,
        period=rules_case.period, decided_at=timezone.now(), rulebook="az",
        rulebook_version="2026.1",
        explanation_text={
            "en": "Family income per member 310.00 is above the need criterion 300.00.",
            "az": "Ailə üzvünə düşən gəlir 310.00 ehtiyac meyarından (300.00) yüksəkdir.",
            "uz": "Oila aʼzosiga toʻgʻri keladigan daromad 310.00 mezondan (300.00) yuqori.",
            "ru": "Доход на члена семьи 310.00 выше критерия нуждаемости 300.00.",
        },
    )
    award = Award.objects.create(
        service=tssa, household=household, frequency=Frequency.MONTHLY, currency="AZN",
        start=dt.date(2025, 1, 1), case=rules_case, decision=decision,
    )
    AwardAmount.objects.create(award=award, amount=Decimal("120.00"),
                               valid_from=dt.date(2025, 1, 1))
    run = PayrollRun.objects.create(period="2025-02")
    Payment.objects.create(run=run, award=award, period="2025-02", kind=PaymentKind.REGULAR,
                           amount=Decimal("120.00"), currency="AZN")
    group = ServiceGroup.objects.create(centre=centre, letter="A",
                                        names={"en": "Pensions"}, position=1)
    now = timezone.now()
    ticket = Ticket.objects.create(
        centre=centre, service_group=group, day=today, number=7, source="kiosk",
        person=head, issued_at=now, queued_at=now, status="done",
    )
    Rating.objects.create(ticket=ticket, quality=4, timeliness=2, courtesy=5, channel="link")
    return World(
        centre=centre, staff_service=staff_service, tssa=tssa, household=household,
        head=head, spouse=spouse, child=child, officer=officer, supervisor=supervisor,
        open_case=open_case, rules_case=rules_case,
    )


@pytest.fixture
def world(db: None) -> World:
    return make_world()
