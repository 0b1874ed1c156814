"""Run a compiled plan: lazily over a whole population, eagerly over one household.

Both paths run the same steps with the same expressions; only the crossings differ. For a
population an aggregation is a group-by joined back to households and a broadcast is a join;
for one household an aggregation is a ``select`` over its members and a broadcast a literal.

When the members come sorted by household and the households are exactly those runs, in
the same order (what the snapshot writers produce; ``runs_of`` checks it over the data, it is
never assumed), a population needs neither hashing nor joins: an aggregation reduces each
household's run of rows in one pass (``dost.rules.segments``; the few aggregations without an
exact run form still group, sorted by key, beside the households), and a broadcast is a
gather by each member's household row. The results are the same as the joins'.

Money is computed in Float64. A sum of money over members is rounded to the cent as soon as
it is added (the exact sum of whole cents, whatever order the members came in), and every
money value a formula computes is rounded to the cent where it is computed, half away from
zero at the decimal half cent (0.005 -> 0.01, ``round_money``), so an explanation adds up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import polars as pl

from dost.rules.entities import HOUSEHOLD, HOUSEHOLD_KEY, PERSON, PERSON_KEY, ROLE, Entity
from dost.rules.errors import CaseError
from dost.rules.plan import Plan, Step, StepKind
from dost.rules.segments import (
    Runs,
    RunsOfScan,
    Segment,
    find_runs,
    raw_schema,
    reduce_runs,
)
from dost.rules.valuetypes import MONEY, round_money
from dost.rules.variables import Variable

Checker = Callable[[Step, pl.LazyFrame], None]

# A member's household row (0-based) on the aligned path; never an output.
HOUSEHOLD_ROW = "__household_row"


def input_columns(plan: Plan, entity: Entity) -> list[str]:
    """The columns of ``entity``'s input the plan reads."""
    return list(
        dict.fromkeys([*plan.keys[entity], *(v.column or v.name for v in plan.inputs[entity])])
    )


def missing_columns(plan: Plan, entity: Entity, columns: Sequence[str]) -> list[str]:
    have = set(columns)
    return sorted({c for c in input_columns(plan, entity) if c not in have})


def runs_of(persons: pl.DataFrame, households: pl.DataFrame) -> Runs | None:
    """The households' runs of members, if members are sorted by household and the
    households are exactly their runs, in order (``dost.rules.segments.find_runs``)."""
    if HOUSEHOLD_KEY not in persons.columns or HOUSEHOLD_KEY not in households.columns:
        return None
    return find_runs(persons.get_column(HOUSEHOLD_KEY), households.get_column(HOUSEHOLD_KEY))


def aligned(persons: pl.DataFrame, households: pl.DataFrame) -> bool:
    """Whether members are sorted by household and the households are exactly their runs.

    Checked over the data (one pass over the members' key), never taken from a flag.
    """
    return runs_of(persons, households) is not None


def runs_in_scan(plan: Plan) -> bool:
    """Whether the runs can be found while the plan runs (``RunsOfScan``): every crossing is
    an aggregation, and each one has a run form to find them (so each checks them)."""
    return crosses(plan) and all(
        step.kind is StepKind.AGGREGATE and any(s is not None for s in step.segments)
        for step in plan.steps
        if step.kind is not StepKind.COLUMNS
    )


def crosses(plan: Plan) -> bool:
    """Whether the plan aggregates or broadcasts: only then does the members' order matter."""
    return any(step.kind is not StepKind.COLUMNS for step in plan.steps)


def require_columns(
    plan: Plan, persons: Sequence[str], households: Sequence[str], person_key: bool = True
) -> None:
    for entity, columns in ((PERSON, persons), (HOUSEHOLD, households)):
        missing = missing_columns(plan, entity, columns)
        if not person_key:
            missing = [c for c in missing if c != PERSON_KEY]
        if missing:
            raise CaseError(f"{entity} input is missing columns: {', '.join(missing)}")


def run_lazy(
    plan: Plan,
    persons: pl.LazyFrame,
    households: pl.LazyFrame,
    check: Checker | None = None,
    *,
    runs: Runs | RunsOfScan | None = None,
    person_key: bool = True,
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """The plan over whole frames.

    ``runs`` only as ``runs_of`` found them in these frames, or, for a plan that
    ``runs_in_scan``, to be found in them (``RunsOfScan``). Without ``person_key`` the
    persons' key is neither required nor read (nor in the person frame): for runs that write
    no person results.
    """
    require_columns(
        plan, persons.collect_schema().names(), households.collect_schema().names(), person_key
    )
    reads = plan.reads[PERSON]
    if not person_key:
        reads = tuple(e for e in reads if e.meta.output_name() != PERSON_KEY)
    frames = {PERSON: persons.select(reads), HOUSEHOLD: households.select(plan.reads[HOUSEHOLD])}
    if runs is not None and any(step.kind is StepKind.BROADCAST for step in plan.steps):
        frames[PERSON] = frames[PERSON].with_columns(
            pl.col(HOUSEHOLD_KEY).rle_id().alias(HOUSEHOLD_ROW)
        )
    for step in plan.steps:
        if step.kind is StepKind.COLUMNS:
            if check is not None:
                check(step, frames[step.entity])
            frames[step.entity] = frames[step.entity].with_columns(step.exprs)
        elif runs is not None and step.kind is StepKind.AGGREGATE:
            frames[HOUSEHOLD] = _aggregate_runs(step, frames[PERSON], frames[HOUSEHOLD], runs)
        elif runs is not None:
            # A gather by household row instead of a 10M-row join (~0.1 against ~0.6 CPU s).
            values = frames[HOUSEHOLD].select(step.exprs)
            frames[PERSON] = pl.concat(
                [frames[PERSON], values], how="horizontal_extend"
            ).with_columns(pl.col(name).gather(pl.col(HOUSEHOLD_ROW)) for name in step.names)
        elif step.kind is StepKind.AGGREGATE:
            agg = frames[PERSON].group_by(HOUSEHOLD_KEY).agg(step.exprs)
            # Row order is not kept (it costs a sort at 10M rows): results carry their keys.
            joined = frames[HOUSEHOLD].join(agg, on=HOUSEHOLD_KEY, how="left")
            frames[HOUSEHOLD] = joined.with_columns(step.fills) if step.fills else joined
        else:
            values = frames[HOUSEHOLD].select(pl.col(HOUSEHOLD_KEY), *step.exprs)
            frames[PERSON] = frames[PERSON].join(values, on=HOUSEHOLD_KEY, how="left")
    return frames[PERSON], frames[HOUSEHOLD]


def _aggregate_runs(
    step: Step, persons: pl.LazyFrame, households: pl.LazyFrame, runs: Runs | RunsOfScan
) -> pl.LazyFrame:
    """An aggregate step over sorted members: new household columns in the households' row
    order. Every household has members here: of the fills, only the rounding matters."""
    fast: list[Segment] = [s for s in step.segments if s is not None]
    slow = [e for e, s in zip(step.exprs, step.segments, strict=True) if s is None]
    parts = [households]
    if fast:
        key = [pl.col(HOUSEHOLD_KEY)] if isinstance(runs, RunsOfScan) else []
        values = persons.select(*key, *(e for s in fast for e in s.inputs()))
        reduced = values.map_batches(
            partial(reduce_runs, segments=fast, runs=runs), schema=raw_schema(fast)
        )
        parts.append(reduced.select(s.finish() for s in fast))
    if slow:
        # Sorting the groups keeps them in the households' (sorted) order.
        grouped = persons.group_by(HOUSEHOLD_KEY).agg(slow).sort(HOUSEHOLD_KEY)
        names = {e.meta.output_name() for e in slow}
        fills = [f for f in step.fills if f.meta.output_name() in names]
        parts.append(grouped.drop(HOUSEHOLD_KEY).with_columns(fills))
    return pl.concat(parts, how="horizontal")


def run_eager(
    plan: Plan, persons: pl.DataFrame, household: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One household (exactly one row) and its members, evaluated with no joins."""
    if household.height != 1:
        raise CaseError("a case holds exactly one household")
    require_columns(plan, persons.columns, household.columns)
    # The ``_seq`` forms: on a few rows, evaluating a step's expressions one after the other
    # beats handing them to threads (~3× faster with the Python rounding of money).
    frames = {
        PERSON: persons.select_seq(plan.reads[PERSON]),
        HOUSEHOLD: household.select_seq(plan.reads[HOUSEHOLD]),
    }
    for step in plan.steps:
        if step.kind is StepKind.COLUMNS:
            frames[step.entity] = frames[step.entity].with_columns_seq(step.exprs)
        elif step.kind is StepKind.AGGREGATE:
            # Over zero members sum/count give 0, any False, all True: of the fills, only
            # the rounding of money sums matters.
            agg = frames[PERSON].select_seq(step.exprs).with_columns_seq(step.fills)
            frames[HOUSEHOLD] = pl.concat([frames[HOUSEHOLD], agg], how="horizontal")
        else:
            row = frames[HOUSEHOLD].select_seq(step.exprs)
            frames[PERSON] = frames[PERSON].with_columns_seq(
                pl.lit(row[name][0], dtype=row.schema[name]).alias(name) for name in step.names
            )
    return frames[PERSON], frames[HOUSEHOLD]


def outputs_of(plan: Plan, entity: Entity, variables: dict[str, Variable]) -> list[pl.Expr]:
    """Keys and the requested outputs of ``entity``; money rounded to the cent (a money
    input given with fractions of a cent is rounded here too; computed money already is)."""
    exprs = [pl.col(k) for k in plan.keys[entity] if k != ROLE]
    for name in plan.outputs:
        var = variables[name]
        if var.entity is entity and name not in plan.keys[entity]:
            expr = pl.col(name)
            if var.vtype is MONEY and not var.rounded:
                expr = round_money(expr)
            exprs.append(expr)
    return exprs
