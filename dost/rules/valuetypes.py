"""Variable types, the Polars dtypes they are stored as, and how money is rounded."""

from __future__ import annotations

from enum import StrEnum

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


def round_money(expr: pl.Expr) -> pl.Expr:
    """``expr`` rounded to the minor unit, half away from zero, exactly at decimal ties.

    Whole minor units first: floor(|x| × 100 + 0.5 + tolerance), the sign put back (never
    on zero: no -0.0). Not ``Expr.round`` on ``x``: it rounds the float, so 674.365, held as
    674.36499…, would give 674.36 and the same amount computed in another order 674.37.
    """
    scaled = expr.cast(pl.Float64) * MINOR_UNITS
    units = (scaled.abs() + (0.5 + TIE_TOLERANCE)).floor()
    signed = pl.when((scaled < 0) & (units > 0)).then(-units).otherwise(units)
    # Polars divides by a constant as a multiplication by its inverse, a last bit off
    # (35984 × 0.01 = 359.84000000000003); rounding that, 1 ulp from k/100, gives exactly
    # the float nearest k/100, the value of the literal.
    rounded: pl.Expr = (signed / MINOR_UNITS).round(MINOR_PLACES)
    return rounded
