"""A certificate's PDF: an HTML template rendered in the certificate's language by WeasyPrint,
with a QR code (segno) to the public verification page.

The fonts are DejaVu (Debian's fonts-dejavu-core), which cover Azerbaijani (ə, ğ, ı, ş),
Uzbek Latin (oʻ, gʻ) and Cyrillic; WeasyPrint finds them through fontconfig.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from dost.portal.tools.formatting import long_date, money, month_year


def _month(period: str, language: str) -> str:
    year, month = period.split("-")
    return month_year(dt.date(int(year), int(month), 1), language)


def _name(names: dict[str, str], language: str) -> str:
    return names.get(language) or names.get("en") or next(iter(names.values()), "")


def printable(facts: dict[str, Any], language: str) -> dict[str, Any]:
    """The facts with dates, months, amounts and service names written for `language`."""
    out: dict[str, Any] = {"kind": facts["kind"], "holder": facts.get("holder", {})}
    birth = facts.get("holder", {}).get("birth_date")
    if birth:
        out["birth_date"] = long_date(dt.date.fromisoformat(birth), language)
    out["issued_at"] = long_date(dt.datetime.fromisoformat(facts["issued_at"]).date(), language)
    if "payments" in facts:
        out["from"] = _month(facts["from"], language)
        out["to"] = _month(facts["to"], language)
        out["payments"] = [
            {"month": _month(p["period"], language), "service": _name(p["service"], language),
             "code": p["service_code"], "amount": money(p["amount"], p["currency"], language)}
            for p in facts["payments"]
        ]
        out["totals"] = [money(a, c, language) for c, a in facts["totals"].items()]
    if "pensions" in facts:
        out["on"] = long_date(dt.date.fromisoformat(facts["on"]), language)
        out["pensions"] = [
            {"service": _name(p["service"], language), "code": p["service_code"],
             "since": long_date(dt.date.fromisoformat(p["since"]), language),
             "amount_from": long_date(dt.date.fromisoformat(p["amount_from"]), language),
             "amount": money(p["amount"], p["currency"], language)}
            for p in facts["pensions"]
        ]
    return out


def render_pdf(
    *, facts: dict[str, Any], language: str, verify_url: str, content_sha256: str
) -> bytes:
    qr = segno.make(verify_url, error="m").svg_data_uri(scale=4, border=2)
    with translation.override(language):
        html = render_to_string("certificates/pdf/certificate.html", {
            "facts": printable(facts, language), "code": facts["code"], "qr": qr,
            "verify_url": verify_url, "fingerprint": content_sha256, "language": language,
        })
    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return bytes(pdf)
