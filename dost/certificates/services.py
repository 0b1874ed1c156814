"""Writes of the certificates app: issuing a certificate (facts → PDF → stored fingerprints)."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dost.audit.models import Channel
from dost.audit.services import access_record
from dost.certificates import rendering, selectors
from dost.certificates.models import Certificate, CertificateKind, IssuedBy
from dost.registry.models import Person

MSG_NO_BENEFITS = _("No benefits were paid in the last 12 months, so there is nothing to certify.")
MSG_NO_PENSION = _("No old-age pension is being paid, so there is nothing to certify.")
LANGUAGES = ("az", "uz", "ru", "en")

FactsReader = Callable[..., dict[str, Any] | None]
READERS: dict[str, tuple[FactsReader, Any]] = {
    CertificateKind.BENEFITS: (selectors.benefits_facts, MSG_NO_BENEFITS),
    CertificateKind.PENSION: (selectors.pension_facts, MSG_NO_PENSION),
}


def canonical(facts: dict[str, Any]) -> bytes:
    """The one byte form of the facts that is hashed: sorted keys, UTF-8, no spaces."""
    return json.dumps(facts, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@transaction.atomic
def certificate_issue(
    *, person: Person, kind: str, language: str, verify_url: Callable[[str], str],
    staff_user: User | None = None,
) -> Certificate:
    """Issue a certificate of `kind` for `person` in `language`.

    `verify_url(code)` gives the absolute address of the public verification page, printed
    and put in the QR code. A member of staff issuing for a person reads that person's data:
    the read is audited (channel back office).
    """
    if language not in LANGUAGES:
        raise ValidationError(_("Unknown language."), code="language")
    reader, empty_message = READERS[kind]
    now = timezone.now()
    facts = reader(person=person, today=timezone.localdate(now))
    if facts is None:
        raise ValidationError(empty_message, code="nothing_to_certify")
    code = secrets.token_urlsafe(18)
    facts = {**facts, "code": code, "issued_at": now.isoformat(), "language": language}
    pdf = rendering.render_pdf(facts=facts, language=language, verify_url=verify_url(code),
                               content_sha256=sha256(canonical(facts)))
    certificate = Certificate.objects.create(
        code=code, person=person, kind=kind, language=language, facts=facts,
        content_sha256=sha256(canonical(facts)), pdf=pdf, pdf_sha256=sha256(pdf), issued_at=now,
        issued_by=IssuedBy.STAFF if staff_user is not None else IssuedBy.CITIZEN,
        staff_user=staff_user,
    )
    if staff_user is not None:
        access_record(
            person=person, what=f"certificate:{kind}",
            purpose=f"issue certificate {code}", channel=Channel.BACKOFFICE, actor=staff_user,
        )
    return certificate


def certificate_matches(*, certificate: Certificate, data: bytes) -> bool:
    """Whether `data` is byte for byte the PDF that was issued."""
    return secrets.compare_digest(sha256(data), certificate.pdf_sha256)
