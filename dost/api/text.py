"""Text the database can store: no NUL characters (PostgreSQL text and jsonb refuse them) and no
lone surrogates (not encodable as UTF-8). Checked at the door so bad text is a 4xx, not a 5xx."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

MAX_DEPTH = 32
MSG_TOO_DEEP = _("The JSON is nested too deeply.")
MSG_UNSTORABLE = _("Text may not contain NUL characters or unpaired surrogates.")


def _bad(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def text_problem(value: Any, depth: int = 0) -> str:
    """A message if any string in `value` (keys included, nested) cannot be stored, else ""."""
    if depth > MAX_DEPTH:
        return str(MSG_TOO_DEEP)
    if isinstance(value, str):
        return str(MSG_UNSTORABLE) if _bad(value) else ""
    if isinstance(value, dict):
        for key, item in value.items():
            found = text_problem(key, depth + 1) or text_problem(item, depth + 1)
            if found:
                return found
    elif isinstance(value, list):
        for item in value:
            found = text_problem(item, depth + 1)
            if found:
                return found
    return ""
