"""Inputs: the period snapshot's columns (docs/snapshot.md) that Uzbek rules read."""

from dost.rulebooks.snapshot_inputs import (
    birth_date,
    income_3m,
    role,
)

__all__ = [
    "birth_date",
    "income_3m",
    "role",
]
