"""`dost security matrix [--check]`: write (or check) the permission matrix in docs/security.md.
`dost security totp USER`: the current TOTP code of a user's device (embedded demo only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dost.security.matrix import docs_with_matrix, missing_rules

DOCS = Path(settings.BASE_DIR) / "docs" / "security.md"


class Command(BaseCommand):
    help = ("Security tools: `matrix` writes the permission matrix into docs/security.md; "
            "`totp USER` prints a demo user's current second-factor code.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["matrix", "totp"])
        parser.add_argument("username", nargs="?", default="")
        parser.add_argument("--check", action="store_true",
                            help="matrix: fail if docs/security.md is not current; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "totp":
            self._totp(options["username"])
        else:
            self._matrix(check=options["check"])

    def _totp(self, username: str) -> None:
        if settings.PRODUCTION:
            raise CommandError("Codes are shown for the embedded demo only, not in production.")
        from dost.security.testing import totp_now

        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user {username!r}.")
        self.stdout.write(totp_now(user))

    def _matrix(self, *, check: bool) -> None:
        missing = missing_rules()
        for route in missing:
            self.stderr.write(f"no access rule: /{route.route} ({route.name})")
        current = DOCS.read_text(encoding="utf-8")
        wanted = docs_with_matrix(current)
        if check:
            if wanted != current:
                raise CommandError("docs/security.md is not current: run `dost security matrix`.")
            self.stdout.write("docs/security.md is current.")
        elif wanted != current:
            DOCS.write_text(wanted, encoding="utf-8")
            self.stdout.write("docs/security.md updated.")
        if missing:
            raise CommandError(f"{len(missing)} routes have no access rule.")
