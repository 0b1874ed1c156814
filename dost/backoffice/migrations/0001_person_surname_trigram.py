"""PostgreSQL only: the pg_trgm extension and a trigram index on the folded surname, which the
person search (dost/backoffice/search.py) matches against. Built CONCURRENTLY so a large
registry keeps taking writes; a no-op on other databases."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# Frozen here (a test checks it equals dost.backoffice.search.PG_SURNAME_KEY): a later change
# of the search's folding needs a new migration that rebuilds the index.
PG_SURNAME_KEY = (
    "translate(replace(replace(replace(lower(last_name), 'ch', 'ç'), 'sh', 'ş'), 'kh', 'x'), "
    "'əeıöüşçcxqğʻ''\u0307', 'aaiousçjhkg')"
)
INDEX = "backoffice_person_surname_trgm"


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON registry_person "
        f"USING gin (({PG_SURNAME_KEY}) gin_trgm_ops)"
    )


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
