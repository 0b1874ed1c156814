"""The one error a bad rulebook raises, naming the file, the thing and the reason."""

from __future__ import annotations


class RulebookError(Exception):
    """A rulebook that cannot be loaded or compiled.

    Always carries where (``file``), what (``name``: a variable or parameter) and why
    (``reason``), so an author can fix it without reading the engine.
    """

    def __init__(self, file: str, name: str, reason: str) -> None:
        self.file = file
        self.name = name
        self.reason = reason
        super().__init__(f"{file}: {name}: {reason}")


class CaseError(ValueError):
    """A case (one household's inputs) that does not fit the rulebook."""
