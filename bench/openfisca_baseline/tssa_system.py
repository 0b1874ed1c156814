"""A minimal OpenFisca tax-benefit system: the core of Azerbaijan's TSSA, nothing more.

Imported only inside ``bench/out/openfisca-venv`` (openfisca-core 46), never by the project.
It mirrors what dost/rulebooks/az computes for the same core, so both engines read the same
snapshot columns and must give the same numbers:

- ``counted_in_family``: no exclusion status and an AZ citizen or stateless person;
- ``family_size``: members counted;
- ``average_monthly_income``: income_12m of the members counted, summed, ÷ 12;
- ``tssa_amount``: max(0, family_size × need criterion − average_monthly_income).

The need criterion is an OpenFisca parameter (300 AZN from 2026-01-01).
"""

# openfisca-core is installed only in the benchmark's own virtualenv, so for the project's
# mypy its classes are Any: subclassing them is the point of this module.
# mypy: disable-error-code="misc"

from __future__ import annotations

from typing import Any

import numpy as np
from openfisca_core.entities import build_entity
from openfisca_core.indexed_enums import Enum
from openfisca_core.parameters import ParameterNode
from openfisca_core.periods import DateUnit
from openfisca_core.taxbenefitsystems import TaxBenefitSystem
from openfisca_core.variables import Variable

MONTH = DateUnit.MONTH

Person = build_entity(key="person", plural="persons", label="Person", is_person=True)
Household = build_entity(
    key="household",
    plural="households",
    label="Household",
    roles=[
        {"key": "head", "plural": "heads", "label": "Head", "max": 1},
        {"key": "spouse", "plural": "spouses", "label": "Spouse", "max": 1},
        {"key": "child", "plural": "children", "label": "Child"},
        {"key": "parent", "plural": "parents", "label": "Parent"},
        {"key": "other", "plural": "others", "label": "Other member"},
    ],
)
ROLES = ("head", "spouse", "child", "parent", "other")  # the roles' order above


class ExclusionStatus(Enum):
    none = "No exclusion"
    conscript = "Conscript"
    state_care = "In full state care"
    imprisoned = "Imprisoned"
    wanted = "Wanted"
    abroad = "Abroad"


class exclusion_status(Variable):  # noqa: N801 - OpenFisca names variables by their class
    value_type = Enum
    possible_values = ExclusionStatus
    default_value = ExclusionStatus.none
    entity = Person
    definition_period = MONTH
    label = "Status excluding the person from family size"


class citizenship(Variable):  # noqa: N801
    value_type = str
    entity = Person
    definition_period = MONTH
    label = "Citizenship (ISO alpha-2, empty for stateless)"


class income_12m(Variable):  # noqa: N801
    value_type = float
    entity = Person
    definition_period = MONTH
    label = "All incomes of the 12 months before"


class counted_in_family(Variable):  # noqa: N801
    value_type = bool
    entity = Person
    definition_period = MONTH
    label = "Counted in family size"

    def formula(person: Any, period: Any, parameters: Any) -> Any:  # noqa: N805 - OpenFisca's convention
        status = person("exclusion_status", period)
        citizen = np.isin(person("citizenship", period), ["AZ", ""])
        return (status == ExclusionStatus.none) & citizen


class family_size(Variable):  # noqa: N801
    value_type = int
    entity = Household
    definition_period = MONTH
    label = "Family size"

    def formula(household: Any, period: Any, parameters: Any) -> Any:  # noqa: N805
        return household.sum(household.members("counted_in_family", period))


class average_monthly_income(Variable):  # noqa: N801
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "Average monthly income of the 12 months before"

    def formula(household: Any, period: Any, parameters: Any) -> Any:  # noqa: N805
        counted = household.members("counted_in_family", period)
        income = household.members("income_12m", period)
        return household.sum(income * counted) / 12


class tssa_amount(Variable):  # noqa: N801
    value_type = float
    entity = Household
    definition_period = MONTH
    label = "TSSA amount (core: no refusal grounds)"

    def formula(household: Any, period: Any, parameters: Any) -> Any:  # noqa: N805
        criterion = parameters(period).tssa.need_criterion
        gap = household("family_size", period) * criterion - household(
            "average_monthly_income", period
        )
        return np.maximum(gap, 0.0)


PARAMETERS = {
    "tssa": {
        "need_criterion": {
            "description": "Need criterion (AZN per family member)",
            "values": {
                "2024-01-01": {"value": 270},
                "2025-01-01": {"value": 285},
                "2026-01-01": {"value": 300},
            },
        },
    },
}

INPUTS = ("exclusion_status", "citizenship", "income_12m")
OUTPUTS = ("family_size", "average_monthly_income", "tssa_amount")


class TssaSystem(TaxBenefitSystem):
    def __init__(self) -> None:
        super().__init__([Person, Household])
        self.add_variables(
            exclusion_status,
            citizenship,
            income_12m,
            counted_in_family,
            family_size,
            average_monthly_income,
            tssa_amount,
        )
        self.parameters = ParameterNode("", data=PARAMETERS)
