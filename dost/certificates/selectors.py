"""Reads of the certificates app: the facts a certificate certifies, and access-checked lookups.

Facts are plain JSON (strings, not Decimals) so that what is hashed, stored, printed and shown
on the verification page is one and the same object.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import Http404

from dost.benefits.models import Award, AwardAmount, AwardStatus, Payment, PaymentStatus
from dost.certificates.models import Certificate, CertificateKind
from dost.registry.models import Person, Role

# A service pays an old-age pension when its rule output is the rulebook's pension amount.
PENSION_OUTPUTS = ("old_age_pension_amount",)
BENEFITS_MONTHS = 12


def initials(person: Person) -> str:
    """`A. M.`: enough to recognise the holder, not enough to identify a stranger."""
    return " ".join(f"{n[0].upper()}." for n in (person.first_name, person.last_name) if n)


def masked_id(personal_id: str) -> str:
    """Only the last three characters of the personal ID."""
    return "•" * max(len(personal_id) - 3, 0) + personal_id[-3:]


def _service_names(award: Award) -> dict[str, str]:
    names = award.service.names or {}
    return {str(k): str(v) for k, v in names.items()}


def _months_back(today: dt.date, months: int) -> str:
    index = today.year * 12 + today.month - 1 - (months - 1)
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _holder(person: Person) -> dict[str, Any]:
    return {
        "name": " ".join(n for n in (person.last_name, person.first_name, person.patronymic) if n),
        "personal_id": person.personal_id,
        "birth_date": person.birth_date.isoformat(),
        "initials": initials(person),
        "masked_id": masked_id(person.personal_id),
    }


def benefits_facts(*, person: Person, today: dt.date) -> dict[str, Any] | None:
    """Payments paid to the person, or to a household the person heads, in the last 12 months
    (this month included); None when there were none."""
    first, last = _months_back(today, BENEFITS_MONTHS), f"{today:%Y-%m}"
    headed = person.memberships.filter(role=Role.HEAD, left_on__isnull=True).values("household")
    payments = (
        Payment.objects.filter(status=PaymentStatus.PAID, period__gte=first, period__lte=last)
        .filter(Q(award__person=person) | Q(award__household__in=headed))
        .select_related("award__service").order_by("period", "id")
    )
    rows: list[dict[str, Any]] = []
    totals: dict[str, Decimal] = {}
    for payment in payments:
        rows.append({
            "period": payment.period,
            "service": _service_names(payment.award),
            "service_code": payment.award.service.code,
            "amount": str(payment.amount),
            "currency": payment.currency,
        })
        totals[payment.currency] = totals.get(payment.currency, Decimal(0)) + payment.amount
    if not rows:
        return None
    return {
        "kind": str(CertificateKind.BENEFITS),
        "holder": _holder(person),
        "from": first,
        "to": last,
        "payments": rows,
        "totals": {c: str(a) for c, a in sorted(totals.items())},
    }


def pension_facts(*, person: Person, today: dt.date) -> dict[str, Any] | None:
    """The person's active old-age pension awards and their amount in force today."""
    awards = Award.objects.filter(
        person=person, status=AwardStatus.ACTIVE, start__lte=today,
    ).filter(Q(end__isnull=True) | Q(end__gte=today)).select_related("service")
    rows: list[dict[str, Any]] = []
    for award in awards:
        if not any(o in PENSION_OUTPUTS for o in award.service.rule_outputs or ()):
            continue
        amount = (
            AwardAmount.objects.filter(award=award, valid_from__lte=today)
            .order_by("-valid_from", "-id").first()
        )
        if amount is None:
            continue
        rows.append({
            "service": _service_names(award),
            "service_code": award.service.code,
            "since": award.start.isoformat(),
            "amount": str(amount.amount),
            "amount_from": amount.valid_from.isoformat(),
            "currency": award.currency,
        })
    if not rows:
        return None
    return {
        "kind": str(CertificateKind.PENSION),
        "holder": _holder(person),
        "on": today.isoformat(),
        "pensions": rows,
    }


def certificate_get_for_citizen(*, person: Person, code: str) -> Certificate:
    """The citizen's own certificate; another person's is the same 404 as an unknown code."""
    certificate = Certificate.objects.filter(code=code, person=person).first()
    if certificate is None:
        raise Http404
    return certificate


def certificate_get_public(*, code: str) -> Certificate:
    certificate = Certificate.objects.filter(code=code).select_related("person").first()
    if certificate is None:
        raise Http404
    return certificate


def certificates_of(*, person: Person) -> list[Certificate]:
    return list(Certificate.objects.filter(person=person).defer("pdf", "facts"))


def public_facts(certificate: Certificate) -> dict[str, Any]:
    """What the verification page may show: the certified amounts, the holder's initials and
    masked ID — never the full name, the full personal ID or the date of birth."""
    facts = dict(certificate.facts)
    holder = facts.pop("holder", {})
    facts["holder"] = {"initials": holder.get("initials", ""),
                       "masked_id": holder.get("masked_id", "")}
    return facts
