"""PostgreSQL only: what the person search reads instead of trigram-matching a million surnames.

- `backoffice_name_key`: every folded surname (part 'l') and first name (part 'f') the registry
  holds, once each, with a trigram index: a few thousand rows, so finding the keys spelt like
  the query costs the same on any registry. Statement triggers on `registry_person` add the
  keys of the rows a statement inserts or updates (one grouped insert a statement, so a bulk
  load or COPY pays once, not per row). Keys of persons since renamed or removed stay: they
  match nobody and cost nothing.
- A B-tree on the folded (surname, first name, id) of `registry_person`: the persons of a key,
  or of a pair of keys, in order, read straight from the index.

The trigram index on the whole surname column (0001), which this replaces, is dropped. A no-op
on other databases (the search scans name prefixes there, dost/backoffice/search.py)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

# Frozen here (a test checks they equal dost.backoffice.search's): a later change of the
# search's folding needs a new migration that rebuilds the keys and the index.
PG_SURNAME_KEY = (
    "translate(replace(replace(replace(lower(last_name), 'ch', 'ç'), 'sh', 'ş'), 'kh', 'x'), "
    "'əeıöüşçcxqğʻ''\u0307', 'aaiousçjhkg')"
)
PG_FIRST_KEY = PG_SURNAME_KEY.replace("last_name", "first_name")
INDEX = "backoffice_person_name_keys"
OLD_INDEX = "backoffice_person_surname_trgm"

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """CREATE TABLE IF NOT EXISTS backoffice_name_key (
        part char(1) NOT NULL CHECK (part IN ('l', 'f')),
        key text NOT NULL,
        PRIMARY KEY (part, key))""",
    "CREATE INDEX IF NOT EXISTS backoffice_name_key_trgm ON backoffice_name_key "
    "USING gin (key gin_trgm_ops)",
    f"""CREATE OR REPLACE FUNCTION backoffice_name_keys_add() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO backoffice_name_key (part, key)
            SELECT 'l', {PG_SURNAME_KEY} FROM new_rows
            UNION SELECT 'f', {PG_FIRST_KEY} FROM new_rows
            ON CONFLICT DO NOTHING;
            RETURN NULL;
        END $$""",
    "DROP TRIGGER IF EXISTS backoffice_name_keys_insert ON registry_person",
    "CREATE TRIGGER backoffice_name_keys_insert AFTER INSERT ON registry_person "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION backoffice_name_keys_add()",
    "DROP TRIGGER IF EXISTS backoffice_name_keys_update ON registry_person",
    "CREATE TRIGGER backoffice_name_keys_update AFTER UPDATE ON registry_person "
    "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
    "EXECUTE FUNCTION backoffice_name_keys_add()",
    # The keys of the persons already registered.
    f"""INSERT INTO backoffice_name_key (part, key)
        SELECT 'l', {PG_SURNAME_KEY} FROM registry_person
        UNION SELECT 'f', {PG_FIRST_KEY} FROM registry_person
        ON CONFLICT DO NOTHING""",
    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {INDEX} ON registry_person "
    f"(({PG_SURNAME_KEY}), ({PG_FIRST_KEY}), id)",
    f"DROP INDEX CONCURRENTLY IF EXISTS {OLD_INDEX}",
]

DROP = [
    f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {OLD_INDEX} ON registry_person "
    f"USING gin (({PG_SURNAME_KEY}) gin_trgm_ops)",
    f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX}",
    "DROP TRIGGER IF EXISTS backoffice_name_keys_insert ON registry_person",
    "DROP TRIGGER IF EXISTS backoffice_name_keys_update ON registry_person",
    "DROP FUNCTION IF EXISTS backoffice_name_keys_add()",
    "DROP TABLE IF EXISTS backoffice_name_key",
]


def _run(statements: list[str], schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for statement in statements:
        schema_editor.execute(statement)


def create(apps: Any, schema_editor: Any) -> None:
    _run(CREATE, schema_editor)


def drop(apps: Any, schema_editor: Any) -> None:
    _run(DROP, schema_editor)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY
    dependencies = [("backoffice", "0001_person_surname_trigram")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
