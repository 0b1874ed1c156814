"""Lists of codes from flags, e.g. every refusal ground that applies to a household."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

_TABLE_LIMIT = 12  # 2**12 combinations; beyond that build strings instead of a lookup table


def which(flags: Mapping[str, pl.Expr]) -> pl.Expr:
    """The codes whose flag is true, in the order given (null counts as false).

    The flags are packed into a bit mask and the mask looked up in a table of every
    combination: one integer pass instead of building a list row by row, which is ~30 times
    faster on millions of households.
    """
    codes = list(flags)
    if len(codes) > _TABLE_LIMIT:
        text = pl.concat_str(
            [pl.when(expr.fill_null(False)).then(pl.lit(code)) for code, expr in flags.items()],
            separator="\x1f",
            ignore_nulls=True,
        )
        empty = pl.lit([], dtype=pl.List(pl.String))
        return pl.when(text == "").then(empty).otherwise(text.str.split("\x1f"))
    mask: pl.Expr = pl.lit(0, dtype=pl.Int64)
    for bit, expr in enumerate(flags.values()):
        mask = mask + expr.fill_null(False).cast(pl.Int64) * (1 << bit)
    table = {m: [c for bit, c in enumerate(codes) if m >> bit & 1] for m in range(1 << len(codes))}
    return mask.replace_strict(table, return_dtype=pl.List(pl.String))
