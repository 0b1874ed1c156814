"""Run a compiled plan: lazily over a whole population, eagerly over one household.

Both paths run the same steps with the same expressions; only the crossings differ. For a
population an aggregation is a group-by joined back to households and a broadcast is a join;
for one household an aggregation is a ``select`` over its members and a broadcast a literal.

When the members come sorted by household and the households are exactly those runs, in
the same order (what the snapshot writers produce; ``aligned`` checks it, it is never
assumed), a population needs no join: an aggregation's groups are sorted by key and laid
beside the households, and a broadcast is a gather by each member's household row. The
results are the same as the joins'. The engine takes this path only for plans with a
broadcast: an aggregation alone costs the same either way.

Money is computed in Float64 and rounded once, at the end, to 2 places, half away from zero
(0.005 -> 0.01): only outputs are rounded, never intermediate values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

from dost.rules.entities import HOUSEHOLD, HOUSEHOLD_KEY, PERSON, ROLE, Entity
from dost.rules.errors import CaseError
from dost.rules.plan import Plan, Step, StepKind
from dost.rules.valuetypes import MONEY
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


def aligned(persons: pl.DataFrame, households: pl.DataFrame) -> bool:
    """Whether members are sorted by household and the households are exactly their runs.

    Checked over the data (one pass over the members' key), never taken from a flag.
    """
    if HOUSEHOLD_KEY not in persons.columns or HOUSEHOLD_KEY not in households.columns:
        return False
    members = persons.get_column(HOUSEHOLD_KEY)
    homes = households.get_column(HOUSEHOLD_KEY)
    if members.null_count() or homes.null_count() or not members.is_sorted():
        return False
    # Sorted, so ``unique`` may take its sorted path: the runs' keys, in order, in ~15 ms at
    # 10M members (``is_first_distinct`` hashes: ~0.4 s).
    runs = members.set_sorted().unique()
    return runs.len() == homes.len() and bool((runs == homes).all())


def _require(plan: Plan, persons: Sequence[str], households: Sequence[str]) -> None:
    for entity, columns in ((PERSON, persons), (HOUSEHOLD, households)):
        missing = missing_columns(plan, entity, columns)
        if missing:
            raise CaseError(f"{entity} input is missing columns: {', '.join(missing)}")


def run_lazy(
    plan: Plan,
    persons: pl.LazyFrame,
    households: pl.LazyFrame,
    check: Checker | None = None,
    *,
    is_aligned: bool = False,
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """The plan over whole frames; ``is_aligned`` only when ``aligned`` said so of them."""
    _require(plan, persons.collect_schema().names(), households.collect_schema().names())
    frames = {
        PERSON: persons.select(plan.reads[PERSON]),
        HOUSEHOLD: households.select(plan.reads[HOUSEHOLD]),
    }
    if is_aligned:
        frames[PERSON] = frames[PERSON].with_columns(
            pl.col(HOUSEHOLD_KEY).rle_id().alias(HOUSEHOLD_ROW)
        )
    for step in plan.steps:
        if step.kind is StepKind.COLUMNS:
            if check is not None:
                check(step, frames[step.entity])
            frames[step.entity] = frames[step.entity].with_columns(step.exprs)
        elif is_aligned and step.kind is StepKind.AGGREGATE:
            # Every household has members here, so no fills. Sorting the groups (about what
            # the join back costs) keeps households in row order for the gathers below.
            agg = frames[PERSON].group_by(HOUSEHOLD_KEY).agg(step.exprs).sort(HOUSEHOLD_KEY)
            frames[HOUSEHOLD] = pl.concat(
                [frames[HOUSEHOLD], agg.drop(HOUSEHOLD_KEY)], how="horizontal"
            )
        elif is_aligned:
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


def run_eager(
    plan: Plan, persons: pl.DataFrame, household: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One household (exactly one row) and its members, evaluated with no joins."""
    if household.height != 1:
        raise CaseError("a case holds exactly one household")
    _require(plan, persons.columns, household.columns)
    frames = {
        PERSON: persons.select(plan.reads[PERSON]),
        HOUSEHOLD: household.select(plan.reads[HOUSEHOLD]),
    }
    for step in plan.steps:
        if step.kind is StepKind.COLUMNS:
            frames[step.entity] = frames[step.entity].with_columns(step.exprs)
        elif step.kind is StepKind.AGGREGATE:
            # Over zero members sum/count give 0, any False, all True: no fill needed.
            agg = frames[PERSON].select(step.exprs)
            frames[HOUSEHOLD] = pl.concat([frames[HOUSEHOLD], agg], how="horizontal")
        else:
            row = frames[HOUSEHOLD].select(step.exprs)
            frames[PERSON] = frames[PERSON].with_columns(
                pl.lit(row[name][0], dtype=row.schema[name]).alias(name) for name in step.names
            )
    return frames[PERSON], frames[HOUSEHOLD]


def outputs_of(plan: Plan, entity: Entity, variables: dict[str, Variable]) -> list[pl.Expr]:
    """Keys and the requested outputs of ``entity``; money rounded once, here."""
    exprs = [pl.col(k) for k in plan.keys[entity] if k != ROLE]
    for name in plan.outputs:
        var = variables[name]
        if var.entity is entity and name not in plan.keys[entity]:
            expr = pl.col(name)
            if var.vtype is MONEY:
                expr = expr.round(2, mode="half_away_from_zero")
            exprs.append(expr)
    return exprs
