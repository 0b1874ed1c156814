"""DOST rules-as-code engine: benefit law as dated parameters and Polars formulas.

Pure Python on Polars; imports nothing from Django. See docs/rules.md.
"""

from dost.rules.cases import Case, parse_case
from dost.rules.engine import CaseResult, evaluate_case, evaluate_population, run_snapshot
from dost.rules.entities import HOUSEHOLD, PERSON, Entity
from dost.rules.errors import CaseError, RulebookError
from dost.rules.explain import Explanation
from dost.rules.formula import Formula
from dost.rules.parameters import Parameters, load_parameters
from dost.rules.periods import Period
from dost.rules.rulebook import Reform, Rulebook, load_reform, load_rulebook
from dost.rules.valuetypes import BOOL, CODES, DATE, ENUM, INT, MONEY, NUMBER, VarType
from dost.rules.variables import (
    How,
    L,
    Variable,
    household_value,
    input_variable,
    members,
    variable,
)

__all__ = [
    "BOOL",
    "CODES",
    "DATE",
    "ENUM",
    "HOUSEHOLD",
    "INT",
    "MONEY",
    "NUMBER",
    "PERSON",
    "Case",
    "CaseError",
    "CaseResult",
    "Entity",
    "Explanation",
    "Formula",
    "How",
    "L",
    "Parameters",
    "Period",
    "Reform",
    "Rulebook",
    "RulebookError",
    "VarType",
    "Variable",
    "evaluate_case",
    "evaluate_population",
    "household_value",
    "input_variable",
    "load_parameters",
    "load_reform",
    "load_rulebook",
    "members",
    "parse_case",
    "run_snapshot",
    "variable",
]
