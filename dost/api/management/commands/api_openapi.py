"""Print the API's OpenAPI document, or write it to docs/openapi.json with --write."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dost.api.openapi import COMMITTED, openapi_text


class Command(BaseCommand):
    help = "Print the OpenAPI document of /api/v1/ (or --write it to docs/openapi.json)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--write", action="store_true", help="Write docs/openapi.json.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["write"]:
            COMMITTED.write_text(openapi_text())
            self.stdout.write(f"Wrote {COMMITTED}")
        else:
            self.stdout.write(openapi_text(), ending="")
