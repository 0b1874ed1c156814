"""Variables: typed values of a person or a household, each with a label and a citation.

A variable is one of four kinds: an *input* (a snapshot column), a *formula* over variables
of the same entity and parameters, an *aggregate* (a household value computed from its
members), or a *broadcast* (a member's value of their household). Keeping the crossings
between entities as named variables makes each crossing explainable and lets the engine
batch them into one group-by or one join per stage.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

import polars as pl

from dost.rules.entities import HOUSEHOLD, PERSON, Entity
from dost.rules.valuetypes import BOOL, INT, MONEY, VarType

if TYPE_CHECKING:
    from dost.rules.formula import Formula

Labels = Mapping[str, str]
FormulaFn = Callable[["Formula"], pl.Expr]
Scalar = bool | int | float | str
Codes = tuple[str, ...] | Mapping[str, Labels]


class Kind(StrEnum):
    INPUT = "input"
    FORMULA = "formula"
    AGGREGATE = "aggregate"
    BROADCAST = "broadcast"


class How(StrEnum):
    SUM = "sum"
    COUNT = "count"
    ANY = "any"
    ALL = "all"
    MAX = "max"
    MIN = "min"
    HEAD = "head"  # the value of the member whose role is head


@dataclass(frozen=True)
class Variable:
    name: str
    entity: Entity
    vtype: VarType
    label: Labels
    reference: str
    kind: Kind
    formula: FormulaFn | None = None
    column: str | None = None
    default: Scalar | None = None
    of: str | None = None
    where: str | None = None
    how: How | None = None
    values: tuple[str, ...] = ()
    note: Labels | None = None
    value_labels: Mapping[str, Labels] = field(default_factory=dict)
    source: str = "<memory>"

    @property
    def adds_money(self) -> bool:
        """A sum of money over members: rounded to the minor unit once added, so that the
        order the members are added in (engines, paths) cannot change a last bit and, at an
        exact half cent further on, a rounded amount (``dost.rules.valuetypes.round_money``).
        """
        return (
            self.kind is Kind.AGGREGATE
            and (self.how or How.SUM) is How.SUM
            and (self.vtype is MONEY)
        )

    @property
    def rounded(self) -> bool:
        """Money every path has already rounded to the minor unit: a formula's value
        (``plan.computed_expr``) or a sum of money over members (``adds_money``)."""
        return self.vtype is MONEY and (self.kind is Kind.FORMULA or self.adds_money)

    @property
    def sources(self) -> tuple[str, ...]:
        """Variables a non-formula variable reads (formulas declare theirs by use)."""
        return tuple(name for name in (self.of, self.where) if name)


def L(*, az: str, uz: str, ru: str, en: str) -> Labels:  # noqa: N802 - reads like a literal
    """Labels in the four platform languages."""
    return {"az": az, "uz": uz, "ru": ru, "en": en}


def input_variable(
    name: str,
    entity: Entity,
    vtype: VarType,
    *,
    label: Labels,
    reference: str,
    column: str | None = None,
    default: Scalar | None = None,
    values: Codes = (),
) -> Variable:
    """A snapshot column; ``default`` replaces nulls (and absent fields in a case).

    ``values`` lists an enum's codes, or maps each code to its labels for explanations.
    """
    return Variable(
        name,
        entity,
        vtype,
        label,
        reference,
        Kind.INPUT,
        column=column or name,
        default=default,
        values=tuple(values),
        value_labels=values if isinstance(values, Mapping) else {},
    )


def variable(
    entity: Entity,
    vtype: VarType,
    *,
    label: Labels,
    reference: str,
    note: Labels | None = None,
    values: Codes = (),
) -> Callable[[FormulaFn], Variable]:
    """Decorator: the function (named like the variable) returns its Polars expression."""

    def wrap(fn: FormulaFn) -> Variable:
        return Variable(
            fn.__name__,
            entity,
            vtype,
            label,
            reference,
            Kind.FORMULA,
            formula=fn,
            note=note,
            values=tuple(values),
            value_labels=values if isinstance(values, Mapping) else {},
            source=fn.__code__.co_filename,
        )

    return wrap


def members(
    name: str,
    how: How,
    *,
    label: Labels,
    reference: str,
    of: str | None = None,
    where: str | None = None,
    vtype: VarType | None = None,
) -> Variable:
    """A household variable aggregated from its members' ``of``, kept where ``where`` holds."""
    if how is How.COUNT:
        vtype = INT
    elif how in (How.ANY, How.ALL):
        vtype = BOOL
    if vtype is None:
        raise ValueError(f"{name}: give vtype for a {how} aggregation")
    return Variable(
        name, HOUSEHOLD, vtype, label, reference, Kind.AGGREGATE, of=of, where=where, how=how
    )


def household_value(
    name: str, *, of: str, vtype: VarType, label: Labels, reference: str
) -> Variable:
    """A person variable: the value ``of`` of the person's household."""
    return Variable(name, PERSON, vtype, label, reference, Kind.BROADCAST, of=of)
