"""Importing files into the registry: each file validated whole, then written whole or not."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from dost.registry import models
from dost.registry.importing.database import Database
from dost.registry.importing.kinds import KINDS, PERSONS, Kind, Type
from dost.registry.importing.reading import SUFFIXES, read_table
from dost.registry.importing.report import FileReport, ImportReport, RowError
from dost.registry.importing.validation import REF, Context, Validated, model_field, validate

UNKNOWN_KIND = _("unknown kind “%(kind)s”; name the file after one of: %(kinds)s, or pass --kind")
DATABASE_REFUSED = _("the database refused the file, nothing was imported: %(error)s")
NOT_A_DIRECTORY = _("%(path)s is not a directory")

# What an import writes into Fact.reason, linking every imported fact to its batch.
FACT_REASON = "import batch %d"


def import_directory(
    path: Path, *, actor: AbstractBaseUser | None = None, progress: bool = False
) -> ImportReport:
    """Import every file of a known kind in `path` (`persons.csv`, `incomes.parquet`, …).

    Files are taken in dependency order (persons and households before memberships and facts);
    files of unknown kinds are left alone. Each file is all-or-nothing.
    """
    if not path.is_dir():
        raise NotADirectoryError(str(NOT_A_DIRECTORY % {"path": path}))
    files = [p for p in sorted(path.iterdir()) if p.suffix in SUFFIXES and p.stem in KINDS]
    return import_files(files, actor=actor, progress=progress)


def import_files(
    paths: Sequence[Path], *, actor: AbstractBaseUser | None = None, kind: str | None = None,
    progress: bool = False,
) -> ImportReport:
    """Import files, each in one transaction: every row valid, or nothing from that file.

    The kind of a file is `kind` or its name without the extension. Files are imported in the
    kinds' dependency order whatever their order here, so a facts file can name persons from a
    persons file given alongside it. The report lists, per file, the rows imported or every bad
    row; call `report.raise_if_rejected()` to turn a rejection into `ImportRejected`.
    """
    order = list(KINDS)

    def rank(path: Path) -> int:
        name = kind or path.stem
        return order.index(name) if name in KINDS else len(order)

    report = ImportReport()
    rejected: dict[str, tuple[str, pl.Series]] = {}
    with _progress(progress) as bar:
        for path in sorted(paths, key=rank):
            file_report = _import_file(path, kind or path.stem, actor, rejected, bar)
            report.files.append(file_report)
    return report


def _import_file(
    path: Path, kind_name: str, actor: AbstractBaseUser | None,
    rejected: dict[str, tuple[str, pl.Series]], bar: _Bar,
) -> FileReport:
    started = time.perf_counter()
    name = str(path)
    report = FileReport(path=path, kind=kind_name)
    kind = KINDS.get(kind_name)
    if kind is None:
        reason = UNKNOWN_KIND % {"kind": kind_name, "kinds": ", ".join(KINDS)}
        report.errors = [RowError(name, 0, "", str(reason))]
        return report
    task = bar.start(path.name)
    table = read_table(path, kind)
    report.rows = table.frame.height
    if table.errors:
        report.errors = table.errors
        bar.finish(task, ok=False)
        return report
    bar.stage(task, _("validating"), report.rows)
    try:
        with transaction.atomic():
            db = Database()
            ctx = Context(
                file=name, country=settings.DOST_COUNTRY, db=db, districts=_districts(db),
                today=timezone.localdate(), rejected=rejected,
            )
            validated = validate(table.frame, kind, ctx)
            if validated.errors:
                report.errors = validated.errors
            else:
                bar.stage(task, _("loading"), report.rows)
                report.batch_id = _write(kind, name, validated, actor, db, bar, task)
                report.imported = report.rows
    except DatabaseError as exc:
        # Also raised by the commit itself (deferred checks): nothing of the file was kept.
        report.batch_id, report.imported = None, 0
        report.errors = [RowError(name, 0, "", str(DATABASE_REFUSED % {"error": exc}))]
    if report.errors and kind.name in ("persons", "households"):
        keys = table.frame[kind.key[0]].cast(pl.String).drop_nulls()
        rejected[kind.name] = (path.name, keys)
    report.seconds = time.perf_counter() - started
    bar.finish(task, ok=report.ok)
    return report


def _districts(db: Database) -> pl.DataFrame:
    return db.fetch(
        f"SELECT code, id FROM {models.District._meta.db_table}",  # noqa: S608 - model name
        {"key": pl.String(), "id": pl.Int64()},
    )


def _write(
    kind: Kind, name: str, validated: Validated, actor: AbstractBaseUser | None, db: Database,
    bar: _Bar, task: TaskID | None,
) -> int:
    actor_id = actor.pk if actor is not None else None
    batch = models.ImportBatch.objects.create(
        file_name=name[-300:], kind=kind.name, rows=validated.frame.height, imported_by_id=actor_id
    )
    rows = _rows(kind, validated, db, batch.pk, actor_id)
    table = kind.model._meta.db_table
    with db.bulk_load(table):
        db.insert(table, rows, lambda n: bar.advance(task, n))
    # One change-log entry per batch, not per row: the batch names the file and the rows carry
    # their batch (facts in `reason`); a per-row log would repeat the file at many times the cost
    # (see docs/import.md).
    models.RegistryChange.objects.create(
        actor_id=actor_id, source=models.Source.IMPORT, import_batch=batch,
        reason=f"{kind.name}: {name}"[:300], model=models.ImportBatch.__name__,
        object_id=batch.pk, before=None,
        after={"kind": kind.name, "file": name, "rows": rows.height,
               "table": kind.model._meta.db_table},
    )
    return batch.pk


def _rows(
    kind: Kind, validated: Validated, db: Database, batch_id: int, actor_id: Any
) -> pl.DataFrame:
    """The frame to append to the kind's table: database column names, defaults filled in."""
    frame = validated.frame
    now = db.timestamp(timezone.now())
    columns: list[pl.Expr] = []
    if kind is PERSONS:
        ids = db.reserve_ids(kind.model._meta.db_table, frame.height)
        frame = frame.with_columns(ids.alias("id"))
        # Parents from this file get their freshly reserved ids; the others are in the registry.
        parents = pl.concat(
            [frame.select(pl.col("personal_id").alias("key"), "id"), validated.known_persons]
        )
        for name in ("mother_id", "father_id"):
            frame = frame.drop(REF + name).join(
                parents.rename({"key": name, "id": REF + name}), on=name, how="left",
                coalesce=True, maintain_order="left",
            )
        columns += [
            pl.col("id"),
            pl.lit(settings.DOST_COUNTRY).alias("country"),
            pl.lit(now).alias("created_at"),
            pl.lit(now).alias("updated_at"),
        ]
    elif kind.is_fact:
        columns += [
            pl.lit(now).alias("recorded_at"),
            pl.lit(actor_id, dtype=pl.Int64).alias("recorded_by_id"),
            pl.lit(str(models.Source.IMPORT)).alias("source"),
            pl.lit(FACT_REASON % batch_id).alias("reason"),
            pl.lit("").alias("retracted_reason"),
        ]
    else:
        columns.append(pl.lit(now).alias("created_at"))
        if kind.model is models.Household:
            columns.append(pl.lit(now).alias("updated_at"))
    for column in kind.columns:
        target = model_field(kind, column)
        if column.type in (Type.DISTRICT, Type.HOUSEHOLD, Type.PERSON):
            value = pl.col(REF + column.name)
        else:
            value = pl.col(column.name)
        default = target.get_default()
        if column.name == "preferred_language":
            # The model's default is Azerbaijani; an installation defaults to its own language.
            default = settings.LANGUAGE_CODE
        if default is not None and not target.null:
            if column.type is Type.MONEY:
                default = str(default)
            value = value.fill_null(pl.lit(default))
        columns.append(value.alias(target.column or target.name))
    return frame.select(columns)


class _Bar:
    """A rich progress bar on the console, one line per file; inert when not wanted."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress

    def start(self, label: str) -> TaskID | None:
        if self.progress is None:
            return None
        return self.progress.add_task(f"{label}: {_('reading')}", total=None, label=label)

    def stage(self, task: TaskID | None, stage: Any, total: int) -> None:
        if self.progress is not None and task is not None:
            label = self.progress.tasks[task].fields["label"]
            self.progress.update(task, description=f"{label}: {stage}", total=total, completed=0)

    def advance(self, task: TaskID | None, rows: int) -> None:
        if self.progress is not None and task is not None:
            self.progress.advance(task, rows)

    def finish(self, task: TaskID | None, *, ok: bool) -> None:
        if self.progress is not None and task is not None:
            label = self.progress.tasks[task].fields["label"]
            state = _("imported") if ok else _("rejected")
            total = self.progress.tasks[task].total or 0
            # A total (0 when the file was not even read) marks the task finished.
            self.progress.update(
                task, description=f"{label}: {state}", total=total, completed=total
            )


@contextmanager
def _progress(wanted: bool) -> Iterator[_Bar]:
    if not wanted:
        yield _Bar(None)
        return
    columns = (
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True)) as progress:
        yield _Bar(progress)

