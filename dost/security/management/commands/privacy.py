"""`dost privacy purge [--dry-run]`: delete what the retention rules say has expired."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dost.security.privacy import retention_purge


class Command(BaseCommand):
    help = "Privacy: `purge` applies the retention rules (see docs/security.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["purge"])
        parser.add_argument("--dry-run", action="store_true",
                            help="report what has expired; delete nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        for line in retention_purge(dry_run=options["dry_run"]):
            self.stdout.write(
                f"{line.what}: kept {line.months} months (before {line.cutoff:%Y-%m-%d}); "
                f"expired {line.expired}, deleted {line.deleted} — {line.note}"
            )
