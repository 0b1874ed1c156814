"""Member aggregations over runs of consecutive rows, for members sorted by household.

When each household's members are one run of rows and the runs come in the households'
order (``find_runs`` checks it over the data), a household's aggregate is its run's: one
pass, no hashing, results already in the households' order. Sums and counts add each member
into its household's bin (``Runs.sums``, ``Runs.counts``: the household key itself is the
bin when keys are compact serials); any/all and max/min are ``numpy.ufunc.reduceat`` at the
run starts. At 10M members / 2.5M households a hash ``group_by`` of the TSSA family's count
and income takes ~0.35 CPU s, and joining it back to the households more; the runs ~0.05.

Only aggregations whose run form gives exactly the group-by's values are taken here: sums
and counts of flags and integers (exact in any order), sums of money and numbers (added in
row order from 0, as ``np.add.at`` adds them: ``_float_sums``; money sums are then
rounded to the cent in ``Segment.finish``, as every path rounds them), any/all of flags,
max/min of integers. The others (the head's value, max of money or dates) stay with the
group-by (``segment_of`` gives None for them).

Null handling is the group-by's: a null adds nothing and is not counted, ``any`` and ``all``
skip nulls, max/min of a run without a value is null. The member columns are filled in the
lazy plan (``Segment.inputs``) so that NumPy only sees plain arrays: a Polars ``Series``
operation costs a query of its own (~1 ms each, which is what a 100k-person run takes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import polars as pl

from dost.rules.entities import HOUSEHOLD_KEY
from dost.rules.valuetypes import BOOL, DTYPES, INT, MONEY, NUMBER, VarType, round_money
from dost.rules.variables import How, Variable

Starts = npt.NDArray[np.int64]
PRESENT = "__present"  # suffix of a max/min's "the run has a value" column


@dataclass(frozen=True)
class Runs:
    """The first member row of each household, in the households' order, and the members.

    ``keys`` (optional) are the members' household keys, as ``find_runs`` read them: when
    they are small non-negative integers (a registry's serial keys), they are the bins
    members are added into as they are, with no member-to-run array to build (``bins``).
    """

    starts: Starts
    rows: int
    keys: npt.NDArray[np.int64] | None = None
    firsts: npt.NDArray[np.int64] | None = None  # keys[starts], when find_runs has them

    @cached_property
    def lengths(self) -> Starts:
        return np.diff(self.starts, append=self.rows)

    @cached_property
    def bins(self) -> tuple[Starts, Starts | slice | None]:
        """Each member's bin for ``sums`` and ``counts``, and where each run's total then
        is (None: at the run's own position).

        The household key itself when keys are compact (bins at most a few times the
        households; runs are in increasing key order, so the first and last keys bound
        them), the totals then read at the runs' keys (a slice when the keys are
        consecutive); otherwise the run's position (``np.repeat``, ~0.05 s at 10M members).
        """
        keys, runs = self.keys, self.starts.size
        if keys is not None and keys.size and keys[0] >= 0 and keys[-1] < 4 * runs + 1024:
            first, last = int(keys[0]), int(keys[-1])
            if last - first == runs - 1:  # increasing and as many as the runs: consecutive
                return keys, slice(first, last + 1)
            return keys, keys[self.starts] if self.firsts is None else self.firsts
        return np.repeat(np.arange(runs, dtype=np.int64), self.lengths), None

    def _size(self) -> tuple[int, Starts | slice | None]:
        every, at = self.bins
        return (int(every[-1]) + 1 if at is not None and every.size else self.starts.size), at

    def sums(self, weights: npt.NDArray[Any] | pl.Series) -> npt.NDArray[np.float64]:
        """Each run's total of ``weights`` as a float, added in row order from 0.

        ``np.add.at`` adds each weight to its bin in row order, and into the same totals
        chunk after chunk, so a Polars column is read where it lies (no copy into one
        array: ~15 ms per float column at 10M).
        """
        size, at = self._size()
        totals = np.zeros(size, dtype=np.float64)
        bins = self.bins[0]
        for offset, chunk in _chunks(weights):
            np.add.at(totals, bins[offset : offset + chunk.size], chunk)
        return totals if at is None else totals[at]

    def counts(self, flags: npt.NDArray[np.bool_] | pl.Series) -> Starts:
        """Each run's number of true ``flags``, from the rarer of true and false: only
        their rows are binned (a count of those not excluded bins the ~4 % excluded)."""
        parts = list(_chunks(flags))
        few = sum(int(np.count_nonzero(c)) for _, c in parts) * 2 <= self.rows
        rows = [np.flatnonzero(c if few else np.logical_not(c)) + offset for offset, c in parts]
        size, at = self._size()
        chosen = self.bins[0][np.concatenate(rows)] if rows else np.zeros(0, np.int64)
        hits = np.bincount(chosen, minlength=size)
        hits = (hits if at is None else hits[at]).astype(np.int64, copy=False)
        return hits if few else self.lengths - hits


def _chunks(values: npt.NDArray[Any] | pl.Series) -> list[tuple[int, npt.NDArray[Any]]]:
    """The values as NumPy arrays with their first row: a Polars column chunk by chunk (a
    chunk without nulls is not copied), an array whole."""
    if isinstance(values, np.ndarray):
        return [(0, values)]
    out, offset = [], 0
    for chunk in values.get_chunks():
        array = chunk.to_numpy()
        out.append((offset, array))
        offset += array.size
    return out


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
    of: str | None = None  # the member variable aggregated, and the filter, if any
    where: str | None = None

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
            if self.of and self.where:
                # One pass instead of a null where the filter fails, then the fill.
                empty = fill[self.how]
                value = pl.when(pl.col(self.where)).then(pl.col(self.of).fill_null(empty))
                value = value.otherwise(empty)
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
    return Segment(var.name, how, value, of.vtype, var.vtype, var.adds_money, var.of, var.where)


def find_runs(members: pl.Series, homes: pl.Series) -> Runs | None:
    """Where each household's run of members starts, if the members are sorted by household
    and the households are exactly their runs, in order; otherwise None.

    One pass over the members' key (~0.05 CPU s at 10M), never taken from a flag: runs
    whose keys strictly increase are sorted members with each household in one run, and
    those keys must be the households'.
    """
    if members.null_count() or homes.null_count():
        return None
    if not (members.dtype.is_integer() and homes.dtype.is_integer()):
        return None
    if members.len() == 0:
        return Runs(np.zeros(0, dtype=np.int64), 0) if homes.len() == 0 else None
    keys = members.cast(pl.Int64).to_numpy()
    bounds = np.flatnonzero(keys[1:] != keys[:-1])  # a run ends after each
    starts = np.empty(bounds.size + 1, dtype=np.int64)
    starts[0] = 0
    np.add(bounds, 1, out=starts[1:])
    if starts.size != homes.len():
        return None
    firsts = keys[starts]
    if firsts.size > 1 and not bool(np.all(firsts[1:] > firsts[:-1])):
        return None
    if not bool(np.array_equal(firsts, homes.to_numpy())):
        return None
    return Runs(starts, keys.size, keys, firsts)


class NotAlignedError(Exception):
    """``RunsOfScan`` found members that are not the households' runs, in order."""


class RunsOfScan:
    """The runs of a scan's members, found when the scan has read their household key.

    For a plan whose only crossings are aggregations with a run form: ``reduce_runs`` gets
    the key with the members' values and finds the runs there (once), so the key is read
    with the other columns, in parallel, not by a pass of its own first. Members that are
    not aligned raise ``NotAlignedError`` from the plan; the caller then runs the group-by.
    """

    def __init__(self, homes: pl.Series) -> None:
        self.homes = homes
        self.found: Runs | None = None
        self.aligned: bool | None = None  # None until a reduction has looked

    def of(self, members: pl.Series) -> Runs:
        if self.aligned is None:
            self.found = find_runs(members, self.homes)
            self.aligned = self.found is not None
        if self.found is None:
            raise NotAlignedError("members are not sorted in the households' order")
        return self.found


def _float_sums(values: npt.NDArray[np.float64] | pl.Series, runs: Runs) -> npt.NDArray[np.float64]:
    """Each run's sum, added left to right from 0, as the group-by adds a group.

    ``np.add.at`` adds each value to its bin in row order (one pass, ~0.03 s at 10M;
    ``Runs.sums``). Not ``np.add.reduceat``: it adds a run's values pairwise, in lanes, which
    changes the last bit of ~9 % of households' sums at 10M. Money sums are rounded to the
    cent after (so the order does not reach them), but sums of numbers are not.
    """
    return runs.sums(values)


def _reduce(segment: Segment, frame: pl.DataFrame, runs: Runs) -> dict[str, npt.NDArray[Any]]:
    starts, how, name = runs.starts, segment.how, segment.name
    if segment.value is None:  # count of all members: the runs' lengths
        return {name: runs.lengths}
    column = frame.get_column(name)
    if how in (How.COUNT, How.SUM) and segment.vtype is BOOL:
        # Only the rarer value's rows are binned: ~4× cheaper than a running count or
        # float weights over every member at 10M (``reduceat`` with a wider dtype: ~10×).
        return {name: runs.counts(column)}
    if how is How.SUM and segment.raw == pl.Float64():
        return {name: _float_sums(column, runs)}
    values = column.to_numpy()
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


def reduce_runs(
    frame: pl.DataFrame, segments: Sequence[Segment], runs: Runs | RunsOfScan
) -> pl.DataFrame:
    """One row per run, from ``frame``'s columns as ``Segment.inputs`` made them (and the
    household key, for ``RunsOfScan``); the columns of ``raw_schema``, to be finished by
    ``Segment.finish``."""
    if isinstance(runs, RunsOfScan):
        runs = runs.of(frame.get_column(HOUSEHOLD_KEY))
    schema = raw_schema(segments)
    if runs.starts.size == 0:
        return pl.DataFrame(schema=schema)
    columns: dict[str, npt.NDArray[Any]] = {}
    for s in segments:
        columns.update(_reduce(s, frame, runs))
    return pl.DataFrame(columns, schema=schema)
