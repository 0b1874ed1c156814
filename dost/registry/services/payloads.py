"""Pydantic building blocks shared by life-event and change-request payloads.

Payloads are JSON from other systems or staff screens. Each shape is a strict-keyed Pydantic model
(unknown keys are an error: a misspelt key must not silently drop data) whose errors are turned
into one message that names every field to fix.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

import pydantic
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

PAYLOAD_NOT_OBJECT = _("The payload must be a JSON object.")
FIELD_MISSING = _("required, but missing")
FIELD_UNKNOWN = _("unknown field; remove it or check its spelling")
FIELD_PROBLEM = _("%(field)s: %(problem)s")

PersonalId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=7, max_length=14)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
OptionalName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=80)]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=16)]
Address = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
CountryCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^([A-Za-z]{2})?$"),
    AfterValidator(str.upper),
]
CENT = Decimal("0.01")
Money = Annotated[
    Decimal,
    Field(ge=0, max_digits=14, decimal_places=2),
    AfterValidator(lambda d: d.quantize(CENT)),
]


class Payload(BaseModel):
    """Base of every payload shape: unknown keys refused, values immutable once checked."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class NewHousehold(Payload):
    """A household to create: its stable reference, district code and address."""

    reference: Reference
    district: Code
    address: Address = ""


def _problem(error: Any) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return str(FIELD_MISSING)
    if kind == "extra_forbidden":
        return str(FIELD_UNKNOWN)
    if kind == "value_error" and "error" in error.get("ctx", {}):
        # Our own validators' messages (already translated), without Pydantic's prefix.
        return str(error["ctx"]["error"])
    # Pydantic's own message (English) is precise about types and bounds; keep it.
    return str(error.get("msg", kind))


def payload_error_message(exc: pydantic.ValidationError) -> str:
    """One line per problem, each naming the field: ``child.sex: required, but missing``."""
    lines = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error.get("loc", ())) or "payload"
        lines.append(str(FIELD_PROBLEM) % {"field": where, "problem": _problem(error)})
    return "; ".join(lines)


def payload_parse[M: BaseModel](shape: type[M], payload: object) -> M:
    """Validate `payload` against `shape`, raising Django's ValidationError with the reasons."""
    if not isinstance(payload, dict):
        raise ValidationError(PAYLOAD_NOT_OBJECT, code="payload")
    try:
        return shape.model_validate(payload)
    except pydantic.ValidationError as exc:
        raise ValidationError(payload_error_message(exc), code="payload") from exc
