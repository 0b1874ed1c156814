"""Request and response bodies. Requests forbid unknown fields: a misspelt key is an error."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Discriminator, Field, Tag, model_validator

from dost.api.text import text_problem

PERIOD_PATTERN = r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"
Language = Literal["az", "uz", "ru", "en"]


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _storable_text(cls, data: Any) -> Any:
        problem = text_problem(data)
        if problem:
            raise ValueError(problem)
        return data


class Problem(Schema):
    type: str
    title: str
    status: int
    detail: str
    instance: str


# --- Events -------------------------------------------------------------------------------------


class EventIn(StrictIn):
    sender_event_id: str = Field(min_length=1, max_length=80)
    type: str = Field(min_length=1, max_length=40)
    occurred_on: dt.date
    payload: dict[str, Any]


class EventBatchIn(StrictIn):
    events: list[EventIn] = Field(min_length=1, max_length=1000)


def _batch_or_single(value: Any) -> str:
    return "batch" if isinstance(value, dict) and "events" in value else "single"


# One event, or {"events": [...]}; the discriminator keeps errors to the shape actually sent.
EventsIn = Annotated[
    Annotated[EventBatchIn, Tag("batch")] | Annotated[EventIn, Tag("single")],
    Discriminator(_batch_or_single),
]


class EventResultOut(Schema):
    sender_event_id: str
    status: Literal["applied", "duplicate", "rejected"]
    reason: str = ""
    event_id: int | None = Field(None, description="Position in the registry's event log.")


class EventResultsOut(Schema):
    applied: int
    duplicate: int
    rejected: int
    results: list[EventResultOut]


# --- Registry -----------------------------------------------------------------------------------


class DisabilityOut(Schema):
    impairment_percent: int
    group: int | None
    valid_from: dt.date
    valid_to: dt.date | None


class EmploymentOut(Schema):
    employer_name: str
    employer_tax_id: str
    start_date: dt.date
    end_date: dt.date | None
    monthly_wage: Decimal


class ContactOut(Schema):
    phone: str
    email: str


class PersonOut(Schema):
    personal_id: str
    last_name: str
    first_name: str
    patronymic: str
    birth_date: dt.date
    sex: str
    death_date: dt.date | None
    citizenship: str
    residence_status: str
    district: str | None
    household: str | None = Field(None, description="Reference of the current household.")
    contact: ContactOut | None = Field(None, description="Scope persons:read:contact.")
    disabilities: list[DisabilityOut] | None = Field(
        None, description="Scope persons:read:disability."
    )
    employment: list[EmploymentOut] | None = Field(
        None, description="Scope persons:read:employment."
    )


class MemberOut(Schema):
    role: str
    joined_on: dt.date
    person: PersonOut


class HouseholdOut(Schema):
    reference: str
    district: str
    address: str
    created_on: dt.date
    dissolved_on: dt.date | None
    members: list[MemberOut]


class PersonPage(Schema):
    items: list[PersonOut]
    next_cursor: str | None = Field(None, description="Pass as `cursor` for the next page.")


# --- Benefits -----------------------------------------------------------------------------------


class AwardAmountOut(Schema):
    amount: Decimal
    valid_from: dt.date


class AwardOut(Schema):
    id: int
    service: str = Field(description="Code of the service in the catalogue.")
    frequency: Literal["monthly", "lump_sum"]
    currency: str
    start: dt.date
    end: dt.date | None
    status: Literal["active", "suspended", "ended"]
    amount: Decimal | None = Field(description="The amount in force today.")
    amounts: list[AwardAmountOut] = Field(description="Every dated version, oldest first.")


class PaymentOut(Schema):
    end_to_end_id: str = Field(description="The ID in the bank file, DOST-<number>.")
    period: str = Field(description="The month paid for, YYYY-MM.")
    kind: Literal["regular", "arrears", "lump_sum"]
    amount: Decimal
    currency: str
    status: Literal["pending", "exported", "paid", "rejected"]
    rejection_reason: str
    bank: str = Field(description="BIC of the paying bank.")
    account: str = Field(description="IBAN (or other account number) credited.")
    created_at: dt.datetime
    award: int | None = Field(None, description="The award paid; scope awards:read.")


class BenefitsOut(Schema):
    personal_id: str
    awards: list[AwardOut] | None = Field(None, description="Scope awards:read.")
    payments: list[PaymentOut] | None = Field(
        None, description="Scope payments:read; newest first, a page at a time."
    )
    next_cursor: str | None = Field(
        None, description="Pass as `cursor` for the next page of payments."
    )


# --- Decisions and applications -----------------------------------------------------------------


class EvaluateIn(StrictIn):
    service: str = Field(pattern=r"^\d{2}-\d{2}-\d{2}-\d{2}$", examples=["05-01-01-01"])
    household: str = Field(min_length=1, max_length=32)
    applicant: str = Field(min_length=1, max_length=14, description="Personal ID.")
    period: str = Field(pattern=PERIOD_PATTERN, examples=["2026-03"])
    language: Language = "en"


class ReasonOut(Schema):
    code: str
    text: str


class EvaluationOut(Schema):
    service: str
    household: str
    period: str
    approved: bool
    amount: Decimal | None
    currency: str
    reasons: list[ReasonOut]
    explanation_text: str
    explanation: dict[str, Any]
    parameters: dict[str, Any]
    rulebook: str
    rulebook_version: str


class ApplicationIn(StrictIn):
    service: str = Field(pattern=r"^\d{2}-\d{2}-\d{2}-\d{2}$")
    household: str = Field(min_length=1, max_length=32)
    applicant: str = Field(min_length=1, max_length=14)
    period: str = Field(pattern=PERIOD_PATTERN)
    documents: list[str] = Field(default_factory=list, max_length=50)


class DecisionOut(Schema):
    outcome: str
    basis: str
    amount: Decimal | None
    currency: str
    reasons: list[ReasonOut]
    decided_at: dt.datetime


class ApplicationOut(Schema):
    reference: str
    service: str
    household: str
    applicant: str
    period: str
    status: str
    submitted_on: dt.date
    due_on: dt.date
    decision: DecisionOut | None


# --- Subscriptions and exports ------------------------------------------------------------------


class SubscriptionIn(StrictIn):
    url: str = Field(pattern=r"^https?://[^\s]{1,490}$", max_length=500)
    event_types: list[str] = Field(min_length=1, max_length=20)


class SubscriptionOut(Schema):
    id: int
    url: str
    event_types: list[str]
    is_active: bool
    created_at: dt.datetime


class SubscriptionCreatedOut(SubscriptionOut):
    secret: str = Field(description="The signing secret; shown only now.")


class DeliveryOut(Schema):
    event_id: str
    event_type: str
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    delivered_at: dt.datetime | None
    created_at: dt.datetime


class ExportIn(StrictIn):
    period: str = Field(pattern=PERIOD_PATTERN)
    format: Literal["csv", "parquet"] = "csv"


class ExportOut(Schema):
    id: int
    period: str
    format: str
    status: str
    rows: int
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    download: str | None
