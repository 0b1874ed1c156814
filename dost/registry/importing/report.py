"""What an import tells its caller: per file, the rows imported or every bad row."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext_lazy as _

REJECTED_FILES = _("%(count)d file(s) rejected; nothing was imported from them.")


@dataclass(frozen=True)
class RowError:
    """One bad cell (or a whole-file problem, with line 0 and no column)."""

    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        if self.column:
            return f"{self.file}:{self.line}: {self.column}: {self.reason}"
        return f"{self.file}:{self.line}: {self.reason}"


@dataclass
class FileReport:
    path: Path
    kind: str
    rows: int = 0  # rows read from the file
    imported: int = 0  # rows written; 0 when the file was rejected
    errors: list[RowError] = field(default_factory=list)
    batch_id: int | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    files: list[FileReport] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def errors(self) -> list[RowError]:
        return [e for f in self.files for e in f.errors]

    @property
    def rejected(self) -> list[FileReport]:
        return [f for f in self.files if not f.ok]

    @property
    def imported(self) -> int:
        return sum(f.imported for f in self.files)

    def raise_if_rejected(self) -> None:
        if not self.ok:
            raise ImportRejected(self)


class ImportRejected(Exception):  # noqa: N818 - named for what happened, like Django's own
    """At least one file was rejected; `errors` lists every bad row of every rejected file."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.errors = report.errors
        super().__init__(str(REJECTED_FILES % {"count": len(report.rejected)}))
