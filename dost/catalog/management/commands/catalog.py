"""`dost catalog load --country az`: load the service catalogue and holidays from YAML."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dost.catalog.services import DATA_DIR, CatalogDataError, catalog_load_all
from dost.registry.models import Country


class Command(BaseCommand):
    help = "Service catalogue: `load` upserts categories, passports and holidays from YAML."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        load = actions.add_parser("load", help="Load the catalogue of one country.")
        load.add_argument(
            "--country", choices=Country.values, default=None,
            help="az or uz (default: the DOST_COUNTRY setting).",
        )
        load.add_argument(
            "--data-dir", type=Path, default=DATA_DIR,
            help="Folder holding categories.yaml and <country>/*.yaml.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        country = options["country"] or str(settings.DOST_COUNTRY)
        try:
            result = catalog_load_all(country=country, data_dir=options["data_dir"])
        except CatalogDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(
            f"{country}: {result.categories} categories, {result.services} services, "
            f"{result.holidays} holidays loaded."
        ))
