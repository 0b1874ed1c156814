"""`dost population generate`: write a synthetic population as bulk-import Parquet files."""

from __future__ import annotations

import sys
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from dost.population.services import DEFAULT_SEED, default_output, population_generate
from dost.registry.geography import geography_load

COUNTRY_MISMATCH = gettext_lazy(
    "This installation runs for country {installed} (DOST_COUNTRY); a {country} population "
    "cannot be loaded into it. Generate for {installed}, or set DOST_COUNTRY={country}."
)
IMPORTER_MISSING = gettext_lazy(
    "The files are written, but loading them failed: the registry importer "
    "(dost.registry.importing.import_directory or `dost registry import`) is not available "
    "here ({error}). Load {directory} with `dost registry import {directory}` once it is."
)

IMPORT_REJECTED = gettext_lazy(
    "The importer rejected {count} file(s) of {directory}; the errors are listed above."
)


def _positive(value: str) -> int:
    number = int(value.replace("_", "").replace(",", ""))
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Synthetic AZ- or UZ-like population for demos, tests and benchmarks."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        generate = sub.add_parser(
            "generate", help="write persons, households and facts as Parquet import files"
        )
        generate.add_argument("--country", choices=("az", "uz"), required=True)
        generate.add_argument("--persons", type=_positive, required=True,
                              help="how many persons (e.g. 1000000 or 1_000_000)")
        generate.add_argument("--seed", type=int, default=DEFAULT_SEED,
                              help="the same seed and size give identical files")
        generate.add_argument("--output", type=Path, default=None,
                              help="directory (default <DOST_DATA_DIR>/population/"
                                   "<country>-<persons>, i.e. var/population/…)")
        generate.add_argument("--load", action="store_true",
                              help="then import the files into the registry")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "generate":
            self._generate(**options)

    def _generate(self, *, country: str, persons: int, seed: int, output: Path | None,
                  load: bool, **_options: Any) -> None:
        if load and country != settings.DOST_COUNTRY:
            raise CommandError(str(COUNTRY_MISMATCH).format(installed=settings.DOST_COUNTRY,
                                                       country=country))
        directory = output or Path(settings.DATA_DIR) / default_output(
            country=country, persons=persons
        )
        # Rich draws the bar on the real stream: Django's wrapper would add a newline per redraw.
        console = Console(file=getattr(self.stdout, "_out", sys.stdout))
        started = time.perf_counter()
        with Progress(
            TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), TimeRemainingColumn(), console=console, transient=False,
        ) as progress:
            task = progress.add_task(_("Generating persons"), total=persons)
            result = population_generate(
                country=country, persons=persons, output=directory, seed=seed,
                on_progress=lambda done: progress.update(task, completed=done),
            )
        seconds = time.perf_counter() - started
        self.stdout.write(
            _("Wrote %(persons)s persons in %(households)s households to %(directory)s "
              "in %(seconds).1f s.")
            % {"persons": f"{result.persons:,}", "households": f"{result.households:,}",
               "directory": result.directory, "seconds": seconds}
        )
        for kind, rows in result.rows.items():
            self.stdout.write(f"  {kind:<13} {rows:>14,}")
        if load:
            self._load(country=country, directory=directory)

    def _load(self, *, country: str, directory: Path) -> None:
        geography_load(country=country)
        try:
            from dost.registry.importing import (  # type: ignore[attr-defined,unused-ignore]
                import_directory,
            )
        except ImportError:
            try:
                call_command("registry", "import", str(directory))
            except Exception as error:  # the command may be missing or fail: say what to do
                raise CommandError(
                    str(IMPORTER_MISSING).format(error=error, directory=directory)
                ) from error
        else:
            report = import_directory(directory, progress=True)
            for row_error in report.errors[:20]:
                self.stderr.write(str(row_error))
            if not report.ok:
                raise CommandError(
                    str(IMPORT_REJECTED).format(count=len(report.rejected), directory=directory)
                )
        self.stdout.write(_("Loaded %(directory)s into the registry.") % {"directory": directory})
