"""Member aggregations over runs of consecutive rows, for members sorted by household.

When each household's members are one run of rows and the runs come in the households'
order (``find_runs`` checks it over the data), a household's aggregate is its run's:
``numpy.ufunc.reduceat`` at the run starts, one pass, no hashing, results already in the
households' order. At 10M members / 2.5M households a hash ``group_by`` of the TSSA
family's count and income takes ~0.35 CPU s, and joining it back to the households more.

Only aggregations whose run form gives exactly the group-by's values are taken here: sums
and counts of flags and integers (exact in any order), sums of money and numbers (added in
row order, as the group-by adds them: ``_float_sums``; money sums are then rounded to the
cent in ``Segment.finish``, as every path rounds them), any/all of flags, max/min of
integers. The others (the head's value, max of money or dates) stay with the group-by
(``segment_of`` gives None for them).

Null handling is the group-by's: a null adds nothing and is not counted, ``any`` and ``all``
skip nulls, max/min of a run without a value is null. The member columns are filled in the
lazy plan (``Segment.inputs``) so that NumPy only sees plain arrays: a Polars ``Series``
operation costs a query of its own (~1 ms each, which is what a 100k-person run takes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from dost.rules.valuetypes import BOOL, DTYPES, INT, MONEY, NUMBER, VarType, round_money
from dost.rules.variables import How, Variable

Starts = npt.NDArray[np.int64]
PRESENT = "__present"  # suffix of a max/min's "the run has a value" column


@dataclass(frozen=True)
class Runs:
    """The first member row of each household, in the households' order, and the members."""

    starts: Starts
    rows: int


@dataclass(frozen=True)
class Segment:
    """How one member aggregation reduces a run. ``value`` is the member column (null where
    ``where`` fails), or None to count the run's members."""

    name: str
    how: How
    value: pl.Expr | None
    vtype: VarType  # the aggregated value's type (of ``of``; bool for a count where)
    result: VarType  # the household variable's type
    money: bool = False  # a money sum: rounded to the minor unit (``Variable.adds_money``)

    @property
    def raw(self) -> pl.DataType:
        """The dtype ``reduce_runs`` gives before the cast to the result's type."""
        if self.how in (How.ANY, How.ALL):
            return pl.Boolean()
        if self.how is How.SUM and self.vtype in (MONEY, NUMBER):
            return pl.Float64()
        return pl.Int64()

    def inputs(self) -> list[pl.Expr]:
        """The member columns ``reduce_runs`` reads, without nulls, under this name."""
        if self.value is None:
            return []
        fill = {
            How.COUNT: pl.lit(False),
            How.ANY: pl.lit(False),
            How.ALL: pl.lit(True),
            How.SUM: pl.lit(0.0) if self.raw == pl.Float64() else pl.lit(0),
        }
        if self.how in fill:
            value = self.value.fill_null(fill[self.how])
            if self.how is How.SUM:
                value = value.cast(self.raw)
            return [value.alias(self.name)]
        # max / min: a bound in place of nulls, and whether each member had a value.
        info = np.iinfo(np.int64)
        bound = info.min if self.how is How.MAX else info.max
        return [
            self.value.cast(pl.Int64).fill_null(bound).alias(self.name),
            self.value.is_not_null().alias(self.name + PRESENT),
        ]

    def finish(self) -> pl.Expr:
        """The household column from ``reduce_runs``' output: nulls back, result's type."""
        out = pl.col(self.name)
        if self.how in (How.MAX, How.MIN):
            out = pl.when(pl.col(self.name + PRESENT)).then(out)
        out = out.cast(DTYPES[self.result])
        return (round_money(out) if self.money else out).alias(self.name)


def segment_of(var: Variable, variables: Mapping[str, Variable]) -> Segment | None:
    """The run form of ``var`` (an aggregation), or None where the group-by must do it."""
    how = var.how or How.SUM
    if how is How.COUNT:
        value = pl.col(var.where) if var.where else None
        return Segment(var.name, how, value, BOOL, var.vtype)
    if how not in (How.SUM, How.ANY, How.ALL, How.MAX, How.MIN) or not var.of:
        return None
    of = variables.get(var.of)
    if of is None:
        return None
    fits = {
        How.SUM: (BOOL, INT, MONEY, NUMBER),
        How.ANY: (BOOL,),
        How.ALL: (BOOL,),
        How.MAX: (INT,),
        How.MIN: (INT,),
    }[how]
    if of.vtype not in fits:
        return None
    value = pl.col(var.of)
    if var.where:
        value = pl.when(pl.col(var.where)).then(value)
    return Segment(var.name, how, value, of.vtype, var.vtype, var.adds_money)


def find_runs(members: pl.Series, homes: pl.Series) -> Runs | None:
    """Where each household's run of members starts, if the members are sorted by household
    and the households are exactly their runs, in order; otherwise None.

    A few passes over the members' key (~0.1 CPU s at 10M); never taken from a flag.
    """
    if members.null_count() or homes.null_count():
        return None
    if not (members.dtype.is_integer() and homes.dtype.is_integer()):
        return None
    if members.len() == 0:
        return Runs(np.zeros(0, dtype=np.int64), 0) if homes.len() == 0 else None
    # Polars stops at the first member out of order (scattered members: no cost). It may
    # trust a sorted flag, so the runs' keys are checked below all the same.
    if not members.is_sorted():
        return None
    keys = members.to_numpy()
    starts = np.flatnonzero(keys[1:] != keys[:-1]) + 1
    starts = np.concatenate((np.zeros(1, dtype=starts.dtype), starts)).astype(np.int64)
    firsts = keys[starts]
    if firsts.size != homes.len():
        return None
    # Strictly increasing run keys: sorted members, each household a single run.
    if firsts.size > 1 and not bool(np.all(firsts[1:] > firsts[:-1])):
        return None
    return Runs(starts, keys.size) if bool(np.array_equal(firsts, homes.to_numpy())) else None


# Runs summed together: their members (~4 each) fit in the CPU's cache, which decides the
# speed here (all runs at once: ~5× slower at 10M members).
_BLOCK = 1 << 16


def _float_sums(values: npt.NDArray[np.float64], runs: Runs) -> npt.NDArray[np.float64]:
    """Each run's sum, added left to right from 0, as the group-by adds a group.

    Not ``np.add.reduceat``: it adds a run's values pairwise, in lanes, which changes the
    last bit of ~9 % of households' sums at 10M. Money sums are rounded to the cent after
    (so the order does not reach them), but sums of numbers are not. Rank by rank instead:
    in a block of runs ordered longest first, the runs with an n-th member are a prefix, so
    each rank is one gather and one add over that prefix; about one gather and one add per
    member in all.
    """
    starts = runs.starts
    lengths = np.diff(np.append(starts, runs.rows))
    out = np.empty(starts.size, dtype=np.float64)
    for low in range(0, starts.size, _BLOCK):
        sizes = lengths[low : low + _BLOCK]
        top = int(sizes.max())
        # A stable sort of 16-bit integers is a radix sort in NumPy.
        keys = -sizes.astype(np.int16) if top < 2**15 else -sizes
        order = np.argsort(keys, kind="stable")
        firsts = starts[low : low + _BLOCK][order]
        longer = np.bincount(sizes, minlength=top + 1)[::-1].cumsum()[::-1]  # runs ≥ n long
        sums = np.zeros(sizes.size, dtype=np.float64)
        for rank in range(top):
            n = int(longer[rank + 1])
            sums[:n] += values[firsts[:n] + rank]
        out[low + order] = sums
    return out


def _reduce(segment: Segment, frame: pl.DataFrame, runs: Runs) -> dict[str, npt.NDArray[Any]]:
    starts, how, name = runs.starts, segment.how, segment.name
    if segment.value is None:  # count of all members: the runs' lengths
        return {name: np.diff(np.append(starts, runs.rows))}
    values = frame.get_column(name).to_numpy()
    if how in (How.COUNT, How.SUM) and segment.vtype is BOOL:
        # Running counts, read at each run's end: exact for integers, and one pass
        # (``reduceat`` with a wider dtype converts run by run: ~10× slower).
        running = np.cumsum(values, dtype=np.int64)[np.append(starts[1:], runs.rows) - 1]
        return {name: np.diff(running, prepend=0)}
    if how is How.SUM and segment.raw == pl.Float64():
        return {name: _float_sums(values, runs)}
    if how is How.SUM:  # integers: exact in any order
        return {name: np.add.reduceat(values, starts, dtype=np.int64)}
    if how is How.ANY:
        return {name: np.logical_or.reduceat(values, starts)}
    if how is How.ALL:
        return {name: np.logical_and.reduceat(values, starts)}
    ufunc = np.maximum if how is How.MAX else np.minimum
    present = frame.get_column(name + PRESENT).to_numpy()
    return {
        name: ufunc.reduceat(values, starts),
        name + PRESENT: np.logical_or.reduceat(present, starts),
    }


def raw_schema(segments: Sequence[Segment]) -> dict[str, pl.DataType]:
    """The columns ``reduce_runs`` gives for ``segments``."""
    schema: dict[str, pl.DataType] = {}
    for s in segments:
        schema[s.name] = s.raw
        if s.how in (How.MAX, How.MIN):
            schema[s.name + PRESENT] = pl.Boolean()
    return schema


def reduce_runs(frame: pl.DataFrame, segments: Sequence[Segment], runs: Runs) -> pl.DataFrame:
    """One row per run, from ``frame``'s columns as ``Segment.inputs`` made them; the
    columns of ``raw_schema``, to be finished by ``Segment.finish``."""
    schema = raw_schema(segments)
    if runs.starts.size == 0:
        return pl.DataFrame(schema=schema)
    columns: dict[str, npt.NDArray[Any]] = {}
    for s in segments:
        columns.update(_reduce(s, frame, runs))
    return pl.DataFrame(columns, schema=schema)
