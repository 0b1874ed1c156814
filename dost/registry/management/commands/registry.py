"""`dost registry …`: the registry's console commands.

    dost registry import PATH… [--kind KIND] [--user USERNAME]
    dost registry geography --country az|uz
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy

from dost.registry.importing import import_files
from dost.registry.importing.kinds import KINDS
from dost.registry.importing.reading import SUFFIXES
from dost.registry.importing.report import REJECTED_FILES

NO_SUCH_PATH = gettext_lazy("%(path)s does not exist")
NO_SUCH_USER = gettext_lazy("no user named “%(username)s”")
NOTHING_TO_IMPORT = gettext_lazy("no files of a known kind to import")
FILE_IMPORTED = gettext_lazy("%(file)s: %(rows)d rows imported (batch %(batch)s, %(seconds).1f s)")
FILE_REJECTED = gettext_lazy("%(file)s: rejected, %(errors)d error(s), nothing imported")
GEOGRAPHY_LOADED = gettext_lazy(
    "Geography of %(country)s loaded: %(count)d regions and districts created or changed."
)


HELP = gettext_lazy("Registry operations: bulk import of files, loading the geography.")


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # argparse needs a plain string; translated when the command is loaded, not imported.
        self.help = str(HELP)

    def add_arguments(self, parser: argparse.ArgumentParser) -> None:
        commands = parser.add_subparsers(dest="subcommand", required=True)
        importing = commands.add_parser(
            "import", help=str(gettext_lazy("import CSV or Parquet files (see docs/import.md)"))
        )
        importing.add_argument("paths", nargs="+", type=Path, metavar="PATH")
        importing.add_argument(
            "--kind", choices=list(KINDS),
            help=str(gettext_lazy("the kind of every file, when not named after its kind")),
        )
        importing.add_argument(
            "--user", help=str(gettext_lazy("record the import as made by this user"))
        )
        geography = commands.add_parser(
            "geography", help=str(gettext_lazy("load the country's regions and districts"))
        )
        geography.add_argument("--country", choices=("az", "uz"), required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "import":
            self.import_(options["paths"], kind=options["kind"], username=options["user"])
        else:
            self.geography(options["country"])

    def import_(self, paths: list[Path], *, kind: str | None, username: str | None) -> None:
        actor = None
        if username:
            try:
                actor = get_user_model().objects.get(username=username)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(NO_SUCH_USER % {"username": username}) from exc
        files: list[Path] = []
        for path in paths:
            if path.is_dir():
                files += [
                    p for p in sorted(path.iterdir())
                    if p.suffix in SUFFIXES and (kind is not None or p.stem in KINDS)
                ]
            elif path.exists():
                files.append(path)
            else:
                raise CommandError(NO_SUCH_PATH % {"path": path})
        if not files:
            raise CommandError(NOTHING_TO_IMPORT)
        report = import_files(files, actor=actor, kind=kind, progress=True)
        for file in report.files:
            if file.ok:
                self.stdout.write(
                    FILE_IMPORTED % {
                        "file": file.path, "rows": file.imported, "batch": file.batch_id,
                        "seconds": file.seconds,
                    }
                )
                continue
            for error in file.errors:
                self.stderr.write(str(error))
            self.stderr.write(FILE_REJECTED % {"file": file.path, "errors": len(file.errors)})
        if not report.ok:
            raise CommandError(REJECTED_FILES % {"count": len(report.rejected)})

    def geography(self, country: str) -> None:
        # Imported here: the loader lives beside the population generator's reference data and
        # is not needed by the import subcommand.
        from dost.registry.geography import geography_load

        count = geography_load(country=country)
        self.stdout.write(GEOGRAPHY_LOADED % {"country": country, "count": count})
