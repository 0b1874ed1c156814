"""Variable types and the Polars dtypes they are stored as."""

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
