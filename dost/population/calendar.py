"""Dates as integer day numbers, so whole columns of dates are plain NumPy arithmetic.

A day is counted from 1900-01-01 (every synthetic date is after it); a month is `year * 12 +
month - 1` (see `profiles.month_index`). `NO_DATE` marks a missing date (a null in the output).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt

from dost.population.profiles import REFERENCE_DATE

EPOCH = dt.date(1900, 1, 1)
NO_DATE = -1
DAYS_PER_YEAR = 365.25
# Polars and Arrow count dates from 1970-01-01.
UNIX_OFFSET = (dt.date(1970, 1, 1) - EPOCH).days

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def day_of(date: dt.date) -> int:
    return (date - EPOCH).days


REFERENCE_DAY = day_of(REFERENCE_DATE)


def _as_datetime64(days: IntArray) -> npt.NDArray[np.datetime64]:
    return np.datetime64(EPOCH.isoformat(), "D") + days.astype("timedelta64[D]")


def month_of(days: IntArray) -> IntArray:
    """The month index of each day."""
    months = _as_datetime64(days).astype("datetime64[M]").astype(np.int64)
    return months + 1970 * 12


def day_in_month(days: IntArray) -> IntArray:
    """1 for the first of a month, and so on."""
    d = _as_datetime64(days)
    result: IntArray = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return result


def first_day_of_month(months: IntArray) -> IntArray:
    """The day number of the first day of each month index."""
    m = (months - 1970 * 12).astype("datetime64[M]")
    return (m.astype("datetime64[D]") - np.datetime64(EPOCH.isoformat(), "D")).astype(np.int64)


def add_years(days: IntArray, years: FloatArray | float) -> IntArray:
    return days + np.round(np.asarray(years) * DAYS_PER_YEAR).astype(np.int64)


def month_labels(first: int, last: int) -> list[str]:
    """`YYYY-MM` for month indexes first..last."""
    return [f"{m // 12:04d}-{m % 12 + 1:02d}" for m in range(first, last + 1)]
