"""`dost snapshot --period YYYY-MM --output DIR`: write the period snapshot as Parquet."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from dost.registry.snapshot import SnapshotPeriodError, period_snapshot, snapshot_write


class Command(BaseCommand):
    help = "Export the registry for one month as persons.parquet and households.parquet."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="the month, YYYY-MM")
        parser.add_argument("--output", required=True, type=Path, help="directory to write to")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        try:
            snapshot = period_snapshot(options["period"], using=options["database"])
        except SnapshotPeriodError as error:
            raise CommandError(str(error)) from error
        persons_path, households_path = snapshot_write(snapshot, Path(options["output"]))
        self.stdout.write(
            _("%(persons)d persons, %(households)d households for %(period)s in %(seconds).1f s:")
            % {
                "persons": snapshot.persons.height,
                "households": snapshot.households.height,
                "period": snapshot.period,
                "seconds": time.perf_counter() - started,
            }
        )
        self.stdout.write(f"  {persons_path}\n  {households_path}")
