"""Server-rendered SVG bar charts: the geometry is computed here, the template draws it.

No JavaScript and no third-party code: a chart is a handful of rectangles with a title and a
description for screen readers, and every chart sits next to a table with the same figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.formats import number_format

WIDTH = 640
BAR_AREA_HEIGHT = 180
TOP = 20
BOTTOM = 40  # room for the labels under the bars
LEFT = 48


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value_text: str
    label_x: float


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass(frozen=True)
class BarChart:
    slug: str
    title: str
    description: str
    bars: list[Bar]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = TOP + BAR_AREA_HEIGHT + BOTTOM
    baseline: float = TOP + BAR_AREA_HEIGHT
    left: int = LEFT
    reference_y: float | None = None
    reference_text: str = ""


def _nice_ceiling(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^k at or above `value` (axis maximum)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value:
            return float(candidate)
    return float(10 ** (exponent + 1))  # pragma: no cover


def _fmt(value: float) -> str:
    # The labels a person reads follow the language (4,5 in az/ru/uz); the SVG coordinates
    # beside them are plain numbers (the template switches localisation off).
    return number_format(value, 0 if value == int(value) else 1)


def bar_chart(
    *, slug: str, title: str, description: str, values: list[tuple[str, float | None]],
    reference: float | None = None, reference_text: str = "",
) -> BarChart:
    """A vertical bar chart of (label, value); None values draw no bar but keep their place.
    The axis starts at 0: every figure charted here (counts, minutes, shares) is ≥ 0."""
    top_value = _nice_ceiling(
        max([v for _, v in values if v is not None] + [reference or 0, 0])
    )
    scale = BAR_AREA_HEIGHT / top_value
    slot = (WIDTH - LEFT - 8) / max(1, len(values))
    width = min(48.0, slot * 0.7)
    bars = []
    for index, (label, value) in enumerate(values):
        x = LEFT + index * slot + (slot - width) / 2
        height = max(0.0, value or 0.0) * scale
        bars.append(Bar(
            x=round(x, 1), y=round(TOP + BAR_AREA_HEIGHT - height, 1), width=round(width, 1),
            height=round(height, 1), label=label,
            value_text="–" if value is None else _fmt(value), label_x=round(x + width / 2, 1),
        ))
    ticks = [
        Tick(y=round(TOP + BAR_AREA_HEIGHT - top_value * f * scale, 1), text=_fmt(top_value * f))
        for f in (0, 0.5, 1)
    ]
    return BarChart(
        slug=slug, title=title, description=description, bars=bars, ticks=ticks,
        reference_y=None if reference is None else round(
            TOP + BAR_AREA_HEIGHT - reference * scale, 1
        ),
        reference_text=reference_text,
    )
