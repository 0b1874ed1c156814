"""`dost demo`: the embedded demo — geography, catalogue, a synthetic population, accounts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from dost.registry.models import Person

# Demo-only credentials, refused in production; printed on every start so nobody has to guess.
DEMO_ACCOUNTS = [
    ("admin", "demo-admin-2026", "Administrator (superuser)", "administrator"),
    ("officer", "demo-officer-2026", "Case officer: raises change requests", "case officer"),
    ("supervisor", "demo-supervisor-2026", "Supervisor: approves change requests", "supervisor"),
]
GROUP_PERMISSIONS = {
    "case officer": ["view_person", "view_household", "view_membership", "add_changerequest",
                     "view_changerequest", "view_lifeevent", "view_income"],
    "supervisor": ["view_person", "view_household", "view_membership", "view_changerequest",
                   "approve_changerequest", "view_lifeevent", "view_income", "view_registrychange"],
    "administrator": [],
}


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
        self._ensure_accounts()
        table = Table(title=f"DOST demo ({country.upper()}) — http://127.0.0.1:8000/")
        for column in ("user", "password", "what for"):
            table.add_column(column)
        for username, password, purpose, _group in DEMO_ACCOUNTS:
            table.add_row(username, password, purpose)
        console.print(table)

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
        for name, codenames in GROUP_PERMISSIONS.items():
            group, _created = Group.objects.get_or_create(name=name)
            group.permissions.set(Permission.objects.filter(codename__in=codenames))
        for username, password, _purpose, group_name in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True}
            )
            if created:
                user.set_password(password)
                user.is_superuser = group_name == "administrator"
                user.save()
            user.groups.add(Group.objects.get(name=group_name))
