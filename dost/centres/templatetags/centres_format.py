from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """Seconds as minutes and seconds, 2:57; a dash when there is no value."""
    if seconds is None:
        return "–"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{number_format(value, 1)} %"
