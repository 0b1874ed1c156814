"""Bulk import of persons, households, memberships and facts from CSV and Parquet.

The file format is documented in docs/import.md and declared in `kinds.py`.
"""

from dost.registry.importing.report import FileReport, ImportRejected, ImportReport, RowError
from dost.registry.importing.services import import_directory, import_files

__all__ = [
    "FileReport",
    "ImportRejected",
    "ImportReport",
    "RowError",
    "import_directory",
    "import_files",
]
