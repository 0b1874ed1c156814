"""Template filters of the back office."""

from __future__ import annotations

from typing import Any

from django import template

from dost.catalog.models import localized as localized_text

register = template.Library()


@register.filter
def localized(texts: Any) -> str:
    """A {language: text} map in the active language (catalogue names, reasons)."""
    return localized_text(texts) if isinstance(texts, dict) else str(texts or "")


SLA_TAGS = {"on_time": "tag--green", "due_soon": "tag--amber", "overdue": "tag--red"}


@register.filter
def sla_tag(state: Any) -> str:
    """The colour class of an SLA state: green on time, amber due soon, red overdue."""
    return SLA_TAGS.get(str(state), "tag--grey")
