"""The columns of the period snapshot (docs/snapshot.md): the engine's input contract.

Repeated here, not imported from the registry, because this package must not import Django.
Code lists are Categorical (stored dictionary-encoded); the engine accepts them as String too
(a case, an older snapshot) and reads them as Categorical either way (``INPUT_DTYPES``).
"""

from __future__ import annotations

import polars as pl

PERSON_SCHEMA: dict[str, pl.DataType] = {
    "person_id": pl.Int64(), "household_id": pl.Int64(), "role": pl.Categorical(),
    "personal_id": pl.String(), "sex": pl.Categorical(), "birth_date": pl.Date(),
    "death_date": pl.Date(), "citizenship": pl.Categorical(), "residence_status": pl.Categorical(),
    "exclusion_status": pl.Categorical(), "registered_jobseeker": pl.Boolean(),
    "income_12m": pl.Float64(), "income_3m": pl.Float64(), "wage_12m": pl.Float64(),
    "pension_3m": pl.Float64(), "employed": pl.Boolean(), "employment_end_date": pl.Date(),
    "insured_months_24m": pl.Int32(), "insurance_record_months": pl.Int32(),
    "pension_capital": pl.Float64(), "disability_percent": pl.Int32(),
    "disability_group": pl.Int32(), "job_offers_refused_12m": pl.Int32(),
    "deceased_parents": pl.Int32(),
}  # fmt: skip
HOUSEHOLD_SCHEMA: dict[str, pl.DataType] = {
    "household_id": pl.Int64(), "region": pl.Categorical(), "district": pl.Categorical(),
    "vehicles": pl.Int32(), "vehicles_rehab": pl.Int32(),
    "real_estate_same_purpose_max": pl.Int32(), "purchases_12m": pl.Float64(),
    "utilities_monthly": pl.Float64(),
}  # fmt: skip
PERSON_COLUMNS = tuple(PERSON_SCHEMA)
HOUSEHOLD_COLUMNS = tuple(HOUSEHOLD_SCHEMA)
