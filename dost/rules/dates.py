"""Date arithmetic as Polars expressions, for formulas about ages and events in the month."""

from __future__ import annotations

import datetime as dt

import polars as pl


def age_months(birth: pl.Expr, on: dt.date) -> pl.Expr:
    """Completed months of age on ``on`` (a birthday on the 31st counts at month end)."""
    months = (on.year - birth.dt.year()) * 12 + (on.month - birth.dt.month())
    return (months - (birth.dt.day() > on.day).cast(pl.Int32)).cast(pl.Int64)


def age_years(birth: pl.Expr, on: dt.date) -> pl.Expr:
    """Completed years of age on ``on``."""
    return age_months(birth, on) // 12


def within(day: pl.Expr, start: dt.date, end: dt.date) -> pl.Expr:
    """Whether ``day`` falls between ``start`` and ``end`` inclusive (null -> False)."""
    return day.is_between(pl.lit(start), pl.lit(end)).fill_null(False)
