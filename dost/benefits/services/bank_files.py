"""Bank files: export of an approved run per paying bank, import of the banks' answers.

Each paying bank gets two files of the same payments: a CSV (one row a payment) and an ISO
20022 customer credit transfer initiation (pain.001.001.09). A payment's end-to-end ID is
`DOST-<payment id>`; the bank's answer file names it, with `paid` or `rejected` and a reason.
Exporting again rewrites the same files (payments already sent stay in them), so a lost file
can be produced again; only payments waiting for export change status.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dost.benefits.models import Payment, PaymentStatus, PayrollRun, RunStatus
from dost.benefits.services.totals import payroll_totals_rewrite

PAIN_NS = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"
CSV_COLUMNS = (
    "end_to_end_id", "period", "kind", "amount", "currency", "bank", "account", "beneficiary",
    "personal_id", "service",
)
RESULT_COLUMNS = ("end_to_end_id", "status", "reason")
NO_BANK = "NOTPROVIDED"
# The schema's patterns (BICFIDec2014Identifier, IBAN2007Identifier): a value that does not match
# goes into the free `Othr/Id` instead, so a malformed registry entry never makes the file invalid.
BIC_PATTERN = re.compile(r"[A-Z0-9]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")
IBAN_PATTERN = re.compile(r"[A-Z]{2}[0-9]{2}[a-zA-Z0-9]{1,30}")
# Characters XML 1.0 cannot carry at all (control characters other than tab, LF and CR).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

MSG_NOT_APPROVED = _("Only an approved payroll run can be sent to the banks.")
MSG_BAD_RESULT = _("Line %(line)s: the status must be “paid” or “rejected”, not “%(status)s”.")
MSG_BAD_COLUMNS = _("The results file must have the columns: %(columns)s.")


@dataclass(frozen=True)
class Payer:
    """The paying institution's account the transfers are debited from."""

    name: str = "DOST social protection fund"
    iban: str = "AZ00NABZ00000000000000000000"
    bic: str = "NABZAZ2X"


def end_to_end_id(payment: Payment) -> str:
    return f"DOST-{payment.pk}"


def _payments(run: PayrollRun) -> dict[str, list[Payment]]:
    by_bank: dict[str, list[Payment]] = defaultdict(list)
    rows = (
        Payment.objects.filter(run=run, status__in=(PaymentStatus.PENDING, PaymentStatus.EXPORTED))
        .select_related("award__person", "award__household", "award__service")
        .order_by("bank", "id")
    )
    for payment in rows.iterator(chunk_size=5000):
        by_bank[payment.bank or NO_BANK].append(payment)
    return by_bank


def _beneficiary(payment: Payment) -> tuple[str, str]:
    person = payment.award.person
    if person is not None:
        return person.full_name, person.personal_id
    household = payment.award.household
    return (str(household.reference) if household is not None else ""), ""


def _write_csv(path: Path, payments: list[Payment]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_COLUMNS)
        for p in payments:
            name, personal_id = _beneficiary(p)
            writer.writerow([end_to_end_id(p), p.period, p.kind, f"{p.amount:.2f}", p.currency,
                             p.bank, p.account, name, personal_id, p.award.service.code])


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{PAIN_NS}}}{tag}")
    if text is not None:
        element.text = text
    return element


def _text(value: str, length: int) -> str:
    """A schema `MaxNText`: XML-safe, at most `length` characters, never empty."""
    return _NOT_XML.sub("", value).strip()[:length] or "-"


def _agent(parent: ET.Element, tag: str, bic: str) -> None:
    institution = _sub(_sub(parent, tag), "FinInstnId")
    code = bic.strip().upper()
    if BIC_PATTERN.fullmatch(code):
        _sub(institution, "BICFI", code)
    else:
        _sub(_sub(institution, "Othr"), "Id", _text(bic, 35) if bic else NO_BANK)


def _account(parent: ET.Element, tag: str, account: str) -> None:
    account_id = _sub(_sub(parent, tag), "Id")
    iban = account.replace(" ", "").upper()
    if IBAN_PATTERN.fullmatch(iban):
        _sub(account_id, "IBAN", iban)
    else:
        _sub(_sub(account_id, "Othr"), "Id", _text(account, 34))


def pain001(
    *, run: PayrollRun, bank: str, payments: list[Payment], payer: Payer, created: dt.datetime,
) -> bytes:
    """An ISO 20022 pain.001.001.09 message: one payment information block, one transfer a
    payment, element order as the schema requires."""
    ET.register_namespace("", PAIN_NS)
    total = sum((p.amount for p in payments), Decimal("0.00"))
    document = ET.Element(f"{{{PAIN_NS}}}Document")
    initiation = _sub(document, "CstmrCdtTrfInitn")
    header = _sub(initiation, "GrpHdr")
    message_id = f"DOST-{run.period}-{bank}"[:35]
    _sub(header, "MsgId", _text(message_id, 35))
    _sub(header, "CreDtTm", created.replace(microsecond=0).isoformat())
    _sub(header, "NbOfTxs", str(len(payments)))
    _sub(header, "CtrlSum", f"{total:.2f}")
    _sub(_sub(header, "InitgPty"), "Nm", _text(payer.name, 140))
    info = _sub(initiation, "PmtInf")
    _sub(info, "PmtInfId", _text(message_id, 35))
    _sub(info, "PmtMtd", "TRF")
    _sub(info, "NbOfTxs", str(len(payments)))
    _sub(info, "CtrlSum", f"{total:.2f}")
    _sub(_sub(info, "ReqdExctnDt"), "Dt", created.date().isoformat())
    _sub(_sub(info, "Dbtr"), "Nm", _text(payer.name, 140))
    _account(info, "DbtrAcct", payer.iban)
    _agent(info, "DbtrAgt", payer.bic)
    for payment in payments:
        name, _personal_id = _beneficiary(payment)
        transfer = _sub(info, "CdtTrfTxInf")
        _sub(_sub(transfer, "PmtId"), "EndToEndId", end_to_end_id(payment))
        amount = _sub(_sub(transfer, "Amt"), "InstdAmt", f"{payment.amount:.2f}")
        amount.set("Ccy", payment.currency.upper())
        _agent(transfer, "CdtrAgt", payment.bank)
        _sub(_sub(transfer, "Cdtr"), "Nm", _text(name, 140))
        _account(transfer, "CdtrAcct", payment.account)
        _sub(_sub(transfer, "RmtInf"), "Ustrd",
             _text(f"{payment.award.service.code} {payment.period} {payment.kind}", 140))
    ET.indent(document)
    data: bytes = ET.tostring(document, encoding="utf-8", xml_declaration=True)
    return data


@transaction.atomic
def bank_files_export(
    *, run: PayrollRun, directory: Path, payer: Payer | None = None
) -> list[Path]:
    """Write `<period>-<bank>.csv` and `.xml` for every paying bank of an approved run."""
    if run.status != RunStatus.APPROVED:
        raise ValidationError(MSG_NOT_APPROVED, code="not_approved")
    directory.mkdir(parents=True, exist_ok=True)
    created = timezone.now()
    written: list[Path] = []
    for bank, payments in _payments(run).items():
        stem = directory / f"{run.period}-{bank}"
        _write_csv(stem.with_suffix(".csv"), payments)
        stem.with_suffix(".xml").write_bytes(pain001(
            run=run, bank=bank, payments=payments, payer=payer or Payer(), created=created
        ))
        written += [stem.with_suffix(".csv"), stem.with_suffix(".xml")]
    Payment.objects.filter(run=run, status=PaymentStatus.PENDING).update(
        status=PaymentStatus.EXPORTED, updated_at=created
    )
    return written


@dataclass
class Reconciliation:
    paid: int = 0
    paid_amount: Decimal = Decimal("0.00")
    rejected: int = 0
    rejected_amount: Decimal = Decimal("0.00")
    unknown: list[str] = field(default_factory=list)
    unchanged: int = 0  # already answered the same way (a file imported twice)


def _rows(lines: Iterable[str]) -> Iterable[tuple[int, dict[str, str]]]:
    reader = csv.DictReader(lines)
    if reader.fieldnames is None or not set(RESULT_COLUMNS) <= set(reader.fieldnames):
        raise ValidationError(
            MSG_BAD_COLUMNS % {"columns": ", ".join(RESULT_COLUMNS)}, code="columns"
        )
    yield from enumerate(reader, start=2)


@transaction.atomic
def bank_results_import(*, lines: Iterable[str]) -> Reconciliation:
    """Apply a bank's answer (CSV: end_to_end_id, status, reason) to the payments it names.

    A payment is answered once: importing the same file again changes nothing; an ID that is
    not one of ours is listed as unknown rather than failing the whole file.
    """
    result = Reconciliation()
    rejected_runs: set[int] = set()
    for number, row in _rows(lines):
        status = (row.get("status") or "").strip().lower()
        if status not in (PaymentStatus.PAID, PaymentStatus.REJECTED):
            raise ValidationError(
                MSG_BAD_RESULT % {"line": number, "status": status}, code="bad_status"
            )
        ident = (row.get("end_to_end_id") or "").strip()
        pk = ident.removeprefix("DOST-")
        payment = (
            Payment.objects.select_for_update().filter(pk=int(pk)).first() if pk.isdigit()
            else None
        )
        if payment is None:
            result.unknown.append(ident)
            continue
        if payment.status == status:
            result.unchanged += 1
            continue
        if payment.status != PaymentStatus.EXPORTED:
            result.unknown.append(ident)
            continue
        payment.status = status
        payment.rejection_reason = (row.get("reason") or "").strip()[:300]
        payment.save(update_fields=["status", "rejection_reason", "updated_at"])
        if status == PaymentStatus.PAID:
            result.paid += 1
            result.paid_amount += payment.amount
        else:
            result.rejected += 1
            result.rejected_amount += payment.amount
            rejected_runs.add(payment.run_id)
    # The runs' totals for the reports count rejections apart: bring them up to date.
    payroll_totals_rewrite(run_ids=rejected_runs)
    return result
