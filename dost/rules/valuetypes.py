"""Variable types, the Polars dtypes they are stored as, and how money is rounded."""

from __future__ import annotations

import math
from enum import StrEnum

import numpy as np
import polars as pl


class VarType(StrEnum):
    BOOL = "bool"
    INT = "int"
    MONEY = "money"
    NUMBER = "number"
    DATE = "date"
    ENUM = "enum"
    CODES = "codes"  # a list of enum codes, e.g. every refusal reason that applies


BOOL = VarType.BOOL
INT = VarType.INT
MONEY = VarType.MONEY
NUMBER = VarType.NUMBER
DATE = VarType.DATE
ENUM = VarType.ENUM
CODES = VarType.CODES

DTYPES: dict[VarType, pl.DataType] = {
    BOOL: pl.Boolean(),
    INT: pl.Int64(),
    MONEY: pl.Float64(),
    NUMBER: pl.Float64(),
    DATE: pl.Date(),
    ENUM: pl.String(),
    CODES: pl.List(pl.String()),
}
# How formulas see inputs: code-list columns as Categorical, whichever way they came
# (the snapshot stores them so; a case or an older snapshot gives String). One dtype, so a
# formula behaves the same on both, and ``is_in``/``==`` on codes compare small integers
# (~10× cheaper than on strings at 10M members).
INPUT_DTYPES: dict[VarType, pl.DataType] = DTYPES | {ENUM: pl.Categorical()}


def accepts(vtype: VarType, dtype: pl.DataType) -> bool:
    """Whether a computed dtype may be stored as ``vtype`` without changing its meaning.

    Integers widen to money and numbers; nothing narrows (a float is not an int, a number is
    not a bool), so a formula that returns the wrong kind of value fails at load time.
    """
    if dtype == pl.Null():
        return True
    if vtype is BOOL:
        return dtype == pl.Boolean()
    if vtype is INT:
        return dtype.is_integer()
    if vtype in (MONEY, NUMBER):
        return dtype.is_integer() or dtype.is_float()
    if vtype is DATE:
        return dtype == pl.Date()
    if vtype is ENUM:
        return dtype in (pl.String(), pl.Categorical())
    return isinstance(dtype, pl.List) and dtype.inner in (pl.String(), pl.Null())


# Both currencies (AZN: qəpik, UZS: tiyin) have a minor unit of 1/100.
MINOR_PLACES = 2
MINOR_UNITS = 10**MINOR_PLACES
# How close to a half minor unit a value must be to count as one. Money is Float64, so an
# amount that is exactly x.xx5 in decimal (a sum of whole qəpik ÷ 12 can be) is held a few
# ulps above or below it, and which side is an accident of the order of operations. Real
# amounts near a tie are rational with small denominators (÷ 12, ÷ family size, × a rate in
# percent): at least ~1/100 of a minor unit from it, far beyond float error (~1e-6 of a
# minor unit at 10^10 minor units); 1e-4 separates the two.
TIE_TOLERANCE = 1e-4


# Up to this many values (one household's members) are rounded in plain Python: the same
# IEEE operations, without NumPy's per-call costs (~50 µs a column, ~1 ms an explanation).
_FEW = 64


def _round_one(value: float | None) -> float | None:
    if value is None or math.isnan(value) or math.isinf(value):
        return value
    units = float(math.floor(abs(value * MINOR_UNITS) + (0.5 + TIE_TOLERANCE)))
    rounded: float = math.copysign(units, value) / MINOR_UNITS + 0.0
    return rounded


def _round_minor(series: pl.Series) -> pl.Series:
    """``round_money`` over one column, in NumPy, chunk by chunk into one new array.

    Polars would run each step as its own kernel into a new column (~3× the time at 2.5M
    households; a run rounds each money column once). The steps and their float results
    are the same as in floor(|x| × 100 + 0.5 + tolerance) with the sign put back.
    """
    series = series.cast(pl.Float64)
    if series.len() <= _FEW:
        return pl.Series(series.name, [_round_one(v) for v in series], dtype=pl.Float64())
    rounded = np.empty(series.len(), dtype=np.float64)
    offset = 0
    for chunk in series.get_chunks():
        values = chunk.to_numpy()  # not copied without nulls; nulls as NaN
        units = rounded[offset : offset + values.size]
        offset += values.size
        np.multiply(values, MINOR_UNITS, out=units)
        np.abs(units, out=units)
        units += 0.5 + TIE_TOLERANCE
        np.floor(units, out=units)
        np.copysign(units, values, out=units)  # NaN and ±inf stay what they are
        # A true division: the float nearest k/100, the value of the literal (Polars divides
        # by a constant as a multiplication by its inverse, a last bit off: 35984 × 0.01 =
        # 359.84000000000003).
        units /= MINOR_UNITS
        units += 0.0  # -0.0 (a negative amount that rounds to zero) becomes 0.0
    out = pl.Series(series.name, rounded)
    return out.set(series.is_null(), None) if series.has_nulls() else out


def round_money(expr: pl.Expr) -> pl.Expr:
    """``expr`` rounded to the minor unit, half away from zero, exactly at decimal ties.

    Whole minor units first: floor(|x| × 100 + 0.5 + tolerance), the sign put back (never
    on zero: no -0.0), then divided by 100. Not ``Expr.round`` on ``x``: it rounds the
    float, so 674.365, held as 674.36499…, would give 674.36 and the same amount computed
    in another order 674.37.

    A function of whole columns (``_round_minor``): round a group-by's results after it, not
    inside its aggregation, where it would be called group by group.
    """
    return expr.map_batches(_round_minor, return_dtype=pl.Float64(), is_elementwise=False)
