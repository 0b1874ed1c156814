"""What a formula sees: its variables, its parameters for the period, and the period.

The same context records every variable and parameter a formula touches, so dependencies
are found by running the formula once rather than by declaring them twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from dost.rules.entities import HOUSEHOLD_KEY
from dost.rules.errors import RulebookError
from dost.rules.parameters import Bracket, DatedValue, Parameter, Parameters, Value
from dost.rules.periods import Period
from dost.rules.variables import Scalar, Variable


@dataclass(frozen=True)
class UsedParameter:
    """A parameter value a formula used, with what an auditor needs to check it."""

    name: str
    value: Value
    unit: str
    valid_from: dt.date
    citation: str
    parameter: Parameter


class Formula:
    def __init__(
        self,
        variable: Variable,
        variables: Mapping[str, Variable],
        parameters: Parameters,
        period: Period | None,
    ) -> None:
        # period None = probing at load time: take each parameter's latest value.
        self._variable = variable
        self._variables = variables
        self._parameters = parameters
        self._period = period
        self.deps: list[str] = []
        self.used: dict[str, UsedParameter] = {}

    @property
    def period(self) -> Period:
        return self._period or Period(9999, 12)

    @property
    def start(self) -> dt.date:
        """The period's first day: ages, statuses and parameters are read on it."""
        return self.period.start

    @property
    def end(self) -> dt.date:
        return self.period.end

    def var(self, name: str) -> pl.Expr:
        me = self._variable
        other = self._variables.get(name)
        if other is None:
            raise RulebookError(me.source, me.name, f"unknown variable {name!r}")
        if other.entity is not me.entity:
            raise RulebookError(
                me.source,
                me.name,
                (
                    f"{name!r} is a {other.entity} variable; cross entities with members() or "
                    f"household_value()"
                ),
            )
        if name not in self.deps:
            self.deps.append(name)
        return pl.col(name)

    def _dated(self, name: str) -> tuple[Parameter, DatedValue]:
        me = self._variable
        param = self._parameters.get(name)
        if param is None:
            raise RulebookError(me.source, me.name, f"unknown parameter {name!r}")
        dated = param.latest() if self._period is None else param.at(self._period.start)
        if dated is None:
            raise RulebookError(
                param.source,
                name,
                (
                    f"no value valid on {self.start} (first from {param.values[0].valid_from}); "
                    f"needed by {me.name}"
                ),
            )
        self.used[name] = UsedParameter(
            name, dated.value, param.unit, dated.valid_from, dated.citation, param
        )
        return param, dated

    def value(self, name: str) -> Scalar:
        """A scalar parameter's value for the period, as a Python value."""
        param, dated = self._dated(name)
        if isinstance(dated.value, tuple):
            raise RulebookError(param.source, name, "is a scale; use Formula.scale()")
        return dated.value

    def param(self, name: str) -> pl.Expr:
        return pl.lit(self.value(name))

    def scale(self, name: str, base: pl.Expr) -> pl.Expr:
        """Apply a bracket scale to ``base``: the band's amount, or rates summed by band."""
        param, dated = self._dated(name)
        if not isinstance(dated.value, tuple):
            raise RulebookError(param.source, name, "is not a scale")
        return scale_expr(param.scale or "band_amount", dated.value, base)

    @staticmethod
    def in_household(expr: pl.Expr) -> pl.Expr:
        """A window over the person's household (ranks, counts of siblings...)."""
        return expr.over(HOUSEHOLD_KEY)


def scale_expr(kind: str, brackets: tuple[Bracket, ...], base: pl.Expr) -> pl.Expr:
    ordered = sorted(brackets, key=lambda b: b.threshold)
    if kind == "band_amount":
        # Wrapped from the lowest band up, so the outermost test is the highest band: the
        # highest band the base reaches wins; below every band (or null) gives 0.
        result: pl.Expr = pl.lit(0.0)
        for bracket in ordered:
            result = (
                pl.when(base >= bracket.threshold).then(pl.lit(bracket.amount)).otherwise(result)
            )
        return result
    total: pl.Expr = pl.lit(0.0)
    for index, bracket in enumerate(ordered):
        upper = ordered[index + 1].threshold if index + 1 < len(ordered) else None
        part = (base - bracket.threshold).clip(lower_bound=0.0)
        if upper is not None:
            part = part.clip(upper_bound=upper - bracket.threshold)
        total = total + part * bracket.rate
    return total
