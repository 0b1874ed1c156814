"""`dost roles sync`: make the groups say what dost/security/roles.py says (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dost.security.services.roles import roles_sync


class Command(BaseCommand):
    help = "Roles: `sync` creates the groups of ROLE_PERMISSIONS and sets their permissions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["sync"])

    def handle(self, *args: Any, **options: Any) -> None:
        for role, count in roles_sync().items():
            self.stdout.write(f"{role}: {count} permissions")
