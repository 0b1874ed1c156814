"""`dost demo`: the embedded demo — geography, catalogue, a synthetic population, accounts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from dost.registry.models import Person

LANGUAGES = ("az", "uz", "ru", "en")

# Demo-only credentials, refused in production; printed on every start so nobody has to guess.
DEMO_ACCOUNTS = [
    ("admin", "demo-admin-2026", "Administrator (superuser)", "administrator"),
    ("admin2", "demo-admin2-2026", "Administrator: approves another's role requests",
     "administrator"),
    ("officer", "demo-officer-2026", "Case officer: raises change requests", "case officer"),
    ("supervisor", "demo-supervisor-2026", "Supervisor: approvals, escalations, KPIs",
     "supervisor"),
    ("operator", "demo-operator-2026", "Front office: calls tickets at counter 1", "operator"),
    ("socialworker", "demo-social-2026", "Social worker: home visits, person 360",
     "social worker"),
    ("payroll", "demo-payroll-2026", "Payroll officer: prepares the monthly payroll",
     "payroll officer"),
    ("payroll2", "demo-payroll2-2026", "Payroll officer: approves another's payroll",
     "payroll officer"),
    ("analyst", "demo-analyst-2026", "Policy analyst: simulations, pseudonymised extracts",
     "policy analyst"),
    ("auditor", "demo-auditor-2026", "Auditor: the audit log at /audit/", "auditors"),
]
# Every demo account's TOTP device has this key (RFC 6238's test key, base32 below): add it to
# any authenticator app once, or run `dost security totp <user>` for the current code.
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"
DEMO_TOTP_KEY_BASE32 = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
# The demo centre's queues: letter, name, catalogue categories served.
DEMO_QUEUES = [
    ("A", "Pensions and social insurance", ["pensions", "social_insurance", "certificates"]),
    ("B", "Benefits and social assistance", ["targeted_assistance", "social_benefits",
                                             "martyrs_veterans"]),
    ("C", "Employment, disability, social services", ["employment", "labour_relations",
                                                     "disability_rehabilitation",
                                                     "social_services"]),
]


class Command(BaseCommand):
    help = "Load the embedded demo: geography, service catalogue, synthetic population, accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--persons", type=int, default=4000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo loads fake people and known passwords: not in production.")
        console = Console()
        country = settings.DOST_COUNTRY
        self._load_reference_data(country)
        if Person.objects.exists():
            console.print(f"Registry already holds {Person.objects.count():,} persons; kept as is.")
        else:
            self._load_population(country, options["persons"], options["seed"], console)
            self._life_events(country, console)
        self._ensure_accounts()
        centre_code = self._ensure_centre(country)
        table = Table(title=f"DOST demo ({country.upper()}) — http://127.0.0.1:8000/")
        for column in ("user", "password", "what for"):
            table.add_column(column)
        for username, password, purpose, _group in DEMO_ACCOUNTS:
            table.add_row(username, password, purpose)
        console.print(table)
        console.print(
            f"Staff sign in with the password, then a TOTP code: add the key "
            f"{DEMO_TOTP_KEY_BASE32} to an authenticator app, or run "
            "`dost security totp <user>` for the current code."
        )
        console.print(
            "Citizens: /portal/ (demo sign-in)  what could I get: /portal/tools/  "
            "back office: /backoffice/  "
            f"centre kiosk: /centres/{centre_code}/kiosk/  board: /centres/{centre_code}/board/  "
            "counter desk: /centres/staff/  audit: /audit/  admin: /admin/"
        )

    def _load_reference_data(self, country: str) -> None:
        from dost.catalog.services import catalog_load
        from dost.registry.geography import geography_load

        geography_load(country=country)
        catalog_load(country=country)

    def _load_population(self, country: str, persons: int, seed: int, console: Console) -> None:
        from dost.population.services import population_generate
        from dost.registry.importing import import_directory

        directory = Path(settings.DATA_DIR) / "demo" / f"{country}-{persons}"
        console.print(f"Generating {persons:,} synthetic persons ({country.upper()}) …")
        population_generate(country=country, persons=persons, seed=seed, output=directory)
        report = import_directory(directory, progress=True)
        if not report.ok:
            raise CommandError(f"The demo population did not import: {report}")

    def _ensure_accounts(self) -> None:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from dost.security.services.roles import roles_sync

        roles_sync()
        for username, password, _purpose, group_name in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True}
            )
            if created:
                user.set_password(password)
                user.is_superuser = group_name == "administrator"
                user.save()
            user.groups.add(Group.objects.get(name=group_name))
            TOTPDevice.objects.get_or_create(
                user=user, name="demo", defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True}
            )

    def _ensure_centre(self, country: str) -> str:
        """One centre open Monday to Saturday with three queues and four counters, staffed today."""
        import datetime as dt

        from django.utils import timezone

        from dost.catalog.models import Service
        from dost.centres.models import Centre, Counter, OpeningHours, ServiceGroup, Shift

        code = "baku-1" if country == "az" else "tashkent-1"
        name = "DOST No. 1 (Baku)" if country == "az" else "Inson No. 1 (Tashkent)"
        centre, created = Centre.objects.get_or_create(
            code=code, defaults={"country": country, "names": dict.fromkeys(LANGUAGES, name)}
        )
        if created:
            for weekday in range(6):
                OpeningHours.objects.create(
                    centre=centre, weekday=weekday, opens=dt.time(9), closes=dt.time(18)
                )
            groups = []
            for position, (letter, label, categories) in enumerate(DEMO_QUEUES, start=1):
                group = ServiceGroup.objects.create(
                    centre=centre, letter=letter, names=dict.fromkeys(LANGUAGES, label),
                    position=position,
                )
                group.services.set(
                    Service.objects.filter(country=country, category__code__in=categories)
                )
                groups.append(group)
            for number in range(1, 5):
                counter = Counter.objects.create(centre=centre, number=number)
                counter.service_groups.set(groups if number == 1 else [groups[(number - 2) % 3]])
            centre.supervisors.add(User.objects.get(username="supervisor"))
        today = timezone.localdate()
        Shift.objects.get_or_create(
            counter=Counter.objects.get(centre=centre, number=1),
            user=User.objects.get(username="operator"),
            date=today,
            defaults={"starts": dt.time(0), "ends": dt.time(23, 59)},
        )
        return code

    def _life_events(self, country: str, console: Console) -> None:
        """A birth and a disability decision today, then the proactive engine, as on a real day."""
        import datetime as dt
        import random

        from django.utils import timezone

        from dost.proactive.services.engine import events_consume
        from dost.registry.models import Membership
        from dost.registry.national_id import make_pinfl
        from dost.registry.services.events import event_ingest

        today = timezone.localdate()
        rng = random.Random(2026)
        open_members = Membership.objects.filter(
            left_on__isnull=True, person__death_date__isnull=True
        ).select_related("person")
        mother = open_members.filter(
            person__sex="F",
            person__birth_date__lte=today - dt.timedelta(days=365 * 22),
            person__birth_date__gte=today - dt.timedelta(days=365 * 38),
        ).order_by("id").first()
        adult = open_members.filter(
            person__birth_date__lte=today - dt.timedelta(days=365 * 30),
            person__birth_date__gte=today - dt.timedelta(days=365 * 55),
            person__disabilities__isnull=True,
        ).order_by("-id").first()
        if mother is not None:
            if country == "az":
                alphabet = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"
                child_id = "".join(rng.choice(alphabet) for _ in range(7))
            else:
                child_id = make_pinfl(
                    birth_date=today, sex="F", region_code=26, serial=rng.randrange(1000)
                )
            result = event_ingest(
                sender="civil-registry", sender_event_id=f"demo-birth-{today}", type="birth",
                occurred_on=today,
                payload={"personal_id": child_id, "last_name": mother.person.last_name,
                         "first_name": "Leyla" if country == "az" else "Malika", "sex": "F",
                         "mother_personal_id": mother.person.personal_id},
            )
            console.print(f"Life event: birth to {mother.person.full_name}: {result.status}")
        if adult is not None:
            result = event_ingest(
                sender="medical-social-expertise", sender_event_id=f"demo-disability-{today}",
                type="disability_determined", occurred_on=today,
                payload={"personal_id": adult.person.personal_id, "impairment_percent": 70,
                         "group": 2},
            )
            console.print(f"Life event: disability of {adult.person.full_name}: {result.status}")
        consumed = events_consume()
        console.print(
            f"Proactive engine: {consumed.events} events, {len(consumed.actions)} actions."
        )
