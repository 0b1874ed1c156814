"""Compile a rulebook for one period into an ordered list of steps.

A step is one of: new columns on one entity (formulas that only need earlier columns), an
aggregation of members into their household (one group-by, or one pass over runs of sorted
members), or a broadcast of household values to members (one join, or a gather).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

import polars as pl

from dost.rules.entities import HOUSEHOLD, HOUSEHOLD_KEY, PERSON, PERSON_KEY, ROLE, Entity
from dost.rules.errors import RulebookError
from dost.rules.formula import Formula, UsedParameter
from dost.rules.graph import closure, topo_order
from dost.rules.parameters import Parameters
from dost.rules.periods import Period
from dost.rules.segments import Segment, segment_of
from dost.rules.valuetypes import DTYPES, INPUT_DTYPES, MONEY, round_money
from dost.rules.variables import How, Kind, Variable

KEYS: dict[Entity, tuple[str, ...]] = {
    PERSON: (PERSON_KEY, HOUSEHOLD_KEY, ROLE),
    HOUSEHOLD: (HOUSEHOLD_KEY,),
}
# The keys a plan reads when no variable it needs is the role (a string column, so not read
# for nothing: ~0.05 CPU s at 10M members).
KEYS_WITHOUT_ROLE: dict[Entity, tuple[str, ...]] = {
    PERSON: (PERSON_KEY, HOUSEHOLD_KEY),
    HOUSEHOLD: (HOUSEHOLD_KEY,),
}


class StepKind(StrEnum):
    COLUMNS = "columns"
    AGGREGATE = "aggregate"
    BROADCAST = "broadcast"


@dataclass(frozen=True)
class Step:
    kind: StepKind
    entity: Entity  # the entity that receives the new columns
    names: tuple[str, ...]
    exprs: tuple[pl.Expr, ...]
    # aggregate: values for households with no members, sums of money rounded (after the
    # group-by; harmless where every household has members)
    fills: tuple[pl.Expr, ...] = ()
    raw: tuple[pl.Expr, ...] = ()  # columns: formulas before the cast, for the type check
    # aggregate: each one's form over runs of sorted members (None: group-by only)
    segments: tuple[Segment | None, ...] = ()


@dataclass(frozen=True)
class Plan:
    period: Period | None
    outputs: tuple[str, ...]
    needed: frozenset[str]
    inputs: Mapping[Entity, tuple[Variable, ...]]
    reads: Mapping[Entity, tuple[pl.Expr, ...]]  # the keys and inputs, cast and defaulted
    steps: tuple[Step, ...]
    deps: Mapping[str, tuple[str, ...]]
    used: Mapping[str, tuple[UsedParameter, ...]]
    keys: Mapping[Entity, tuple[str, ...]]  # the key columns read (role only if needed)


def _empty_value(how: How) -> pl.Expr | None:
    # What an aggregation over no members means, after the left join leaves a null.
    return {
        How.SUM: pl.lit(0),
        How.COUNT: pl.lit(0),
        How.ANY: pl.lit(False),
        How.ALL: pl.lit(True),
    }.get(how)


def input_exprs(
    entity: Entity, inputs: Sequence[Variable], keys: Mapping[Entity, tuple[str, ...]] = KEYS
) -> tuple[pl.Expr, ...]:
    # The role is a code list too: Categorical like the other ENUM inputs.
    exprs = [pl.col(k).cast(pl.Categorical()) if k == ROLE else pl.col(k) for k in keys[entity]]
    for var in inputs:
        if var.name in keys[entity]:
            continue
        dtype = INPUT_DTYPES[var.vtype]
        expr = pl.col(var.column or var.name).cast(dtype)
        if var.default is not None:
            expr = expr.fill_null(pl.lit(var.default).cast(dtype))
        exprs.append(expr.alias(var.name))
    return tuple(exprs)


def aggregate_expr(var: Variable) -> pl.Expr:
    how = var.how
    if how is How.COUNT:
        expr = pl.col(var.where).sum() if var.where else pl.len()
    else:
        value = pl.col(var.of or "")
        if how is How.HEAD:
            value = value.filter(pl.col(ROLE) == "head")
        elif var.where:
            # A masked column (null where the filter fails) aggregates ~30 % faster than a
            # filter inside the group-by; sum/any/all/max/min all skip nulls.
            value = pl.when(pl.col(var.where)).then(value)
        expr = {
            How.SUM: value.sum(),
            How.ANY: value.any(),
            How.ALL: value.all(),
            How.MAX: value.max(),
            How.MIN: value.min(),
            How.HEAD: value.first(),
        }[how or How.SUM]
    # A sum of money is rounded once out of the group-by (``Step.fills``): ``round_money``
    # works on whole columns, not group by group.
    return expr.cast(DTYPES[var.vtype]).alias(var.name)


def computed_expr(expr: pl.Expr, var: Variable) -> pl.Expr:
    """A formula's value in its type; money rounded to the cent where it is computed, so
    every amount in an explanation is the one the next formula used."""
    expr = expr.cast(DTYPES[var.vtype])
    return round_money(expr) if var.vtype is MONEY else expr


def discover(
    variables: Mapping[str, Variable],
    parameters: Parameters,
    period: Period | None,
    names: Iterable[str],
) -> tuple[dict[str, tuple[str, ...]], dict[str, pl.Expr], dict[str, tuple[UsedParameter, ...]]]:
    """Run each formula once for ``period``: its expression, dependencies and parameters."""
    deps: dict[str, tuple[str, ...]] = {}
    exprs: dict[str, pl.Expr] = {}
    used: dict[str, tuple[UsedParameter, ...]] = {}
    pending = list(names)
    while pending:
        name = pending.pop()
        if name in deps:
            continue
        var = variables[name]
        if var.kind is Kind.FORMULA and var.formula is not None:
            ctx = Formula(var, variables, parameters, period)
            exprs[name] = var.formula(ctx)
            if not isinstance(exprs[name], pl.Expr):
                raise RulebookError(var.source, name, "formula must return a Polars expression")
            deps[name] = tuple(ctx.deps)
            used[name] = tuple(ctx.used.values())
        else:
            deps[name] = var.sources
        pending.extend(d for d in deps[name] if d not in deps)
    return deps, exprs, used


def build_plan(
    variables: Mapping[str, Variable],
    parameters: Parameters,
    period: Period | None,
    outputs: Iterable[str],
    source: str,
) -> Plan:
    outputs = tuple(outputs)
    for name in outputs:
        if name not in variables:
            raise RulebookError(source, name, "unknown output variable")
    deps, exprs, used = discover(variables, parameters, period, outputs)
    needed = closure(outputs, deps)

    def cycle(path: list[str]) -> RulebookError:
        first = variables[path[0]]
        return RulebookError(first.source, first.name, "cycle: " + " -> ".join(path))

    order = topo_order(needed, deps, cycle)
    # Level = entity crossings on the longest path from the inputs. Every crossing of one
    # level shares one group-by (or one join); formulas of a level are chained by their depth
    # within it. This keeps a whole rulebook to a few group-bys and joins.
    level: dict[str, int] = {}
    depth: dict[str, int] = {}
    for name in order:
        var = variables[name]
        if var.kind is Kind.INPUT:
            level[name], depth[name] = 0, 0
        elif var.kind is Kind.FORMULA:
            level[name] = max((level[d] for d in deps[name]), default=0)
            depth[name] = 1 + max(
                (depth[d] for d in deps[name] if level[d] == level[name]), default=0
            )
        else:
            level[name], depth[name] = 1 + max((level[d] for d in deps[name]), default=0), 0
    stages: dict[tuple[int, int, int], list[str]] = {}
    rank = {Kind.AGGREGATE: 0, Kind.BROADCAST: 1, Kind.FORMULA: 2}
    for name in order:
        var = variables[name]
        if var.kind is not Kind.INPUT:
            side = 0 if var.entity is PERSON else 1
            stages.setdefault((level[name], depth[name], rank[var.kind] * 2 + side), []).append(
                name
            )
    steps: list[Step] = []
    for key in sorted(stages):
        names = tuple(stages[key])
        first = variables[names[0]]
        if first.kind is Kind.AGGREGATE:
            fills = []
            for n in names:
                fill = pl.col(n)
                empty = _empty_value(variables[n].how or How.SUM)
                if empty is not None:
                    fill = fill.fill_null(empty.cast(DTYPES[variables[n].vtype]))
                if variables[n].adds_money:
                    fill = round_money(fill)
                if empty is not None or variables[n].adds_money:
                    fills.append(fill.alias(n))
            steps.append(
                Step(
                    StepKind.AGGREGATE,
                    HOUSEHOLD,
                    names,
                    tuple(aggregate_expr(variables[n]) for n in names),
                    tuple(fills),
                    segments=tuple(segment_of(variables[n], variables) for n in names),
                )
            )
        elif first.kind is Kind.BROADCAST:
            steps.append(
                Step(
                    StepKind.BROADCAST,
                    PERSON,
                    names,
                    tuple(pl.col(variables[n].of or "").alias(n) for n in names),
                )
            )
        else:
            raw = tuple(exprs[n].alias(n) for n in names)
            cast = tuple(computed_expr(exprs[n], variables[n]).alias(n) for n in names)
            steps.append(Step(StepKind.COLUMNS, first.entity, names, cast, raw=raw))
    inputs = {
        entity: tuple(
            variables[n]
            for n in sorted(needed)
            if variables[n].kind is Kind.INPUT and variables[n].entity is entity
        )
        for entity in (PERSON, HOUSEHOLD)
    }
    with_role = ROLE in needed or any(variables[n].how is How.HEAD for n in needed)
    keys = KEYS if with_role else KEYS_WITHOUT_ROLE
    return Plan(
        period,
        outputs,
        frozenset(needed),
        inputs,
        {entity: input_exprs(entity, vars_, keys) for entity, vars_ in inputs.items()},
        tuple(steps),
        {n: deps[n] for n in needed},
        {n: used[n] for n in needed if n in used},
        keys,
    )
