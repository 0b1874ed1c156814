from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from decimal import Decimal
from functools import cache
from importlib.resources import files
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from lxml import etree

from dost.benefits.models import Payment, PaymentStatus
from dost.benefits.services.bank_files import (
    CSV_COLUMNS,
    MSG_NOT_APPROVED,
    PAIN_NS,
    bank_files_export,
    bank_results_import,
    end_to_end_id,
)
from dost.benefits.services.payroll import (
    payments_reissue_rejected,
    payroll_approve,
    payroll_run,
)
from dost.benefits.tests.conftest import monthly
from dost.catalog.models import Service
from dost.security.roles import Role
from dost.security.testing import staff_user

NS = {"p": PAIN_NS}


@cache
def pain001_schema() -> etree.XMLSchema:
    """The official pain.001.001.09 XSD, as shipped in the `sepaxml` wheel (not vendored)."""
    source = files("sepaxml").joinpath("schemas/pain.001.001.09.xsd")
    with source.open("rb") as handle:
        return etree.XMLSchema(etree.parse(handle))


def assert_valid_pain001(path: Path) -> None:
    document = etree.parse(path)
    schema = pain001_schema()
    assert schema.validate(document), [str(error) for error in schema.error_log]


@pytest.fixture
def approved(pension: Service) -> list[Payment]:
    monthly(pension, dt.date(2026, 1, 1), amount="300.00")
    monthly(pension, dt.date(2026, 1, 1), amount="120.50")
    other = monthly(pension, dt.date(2026, 1, 1), amount="99.99")
    other.bank = "IBAZAZ2X"
    other.save()
    payroll_approve(run=payroll_run(period="2026-01").run)
    return list(Payment.objects.order_by("id"))


def test_it_refuses_to_export_a_run_not_signed_off(pension: Service, tmp_path: Path) -> None:
    monthly(pension, dt.date(2026, 1, 1))
    with pytest.raises(ValidationError) as error:
        bank_files_export(run=payroll_run(period="2026-01").run, directory=tmp_path)
    assert error.value.messages == [str(MSG_NOT_APPROVED)]


def test_it_writes_a_csv_and_a_pain001_per_bank(approved: list[Payment], tmp_path: Path) -> None:
    run = approved[0].run
    paths = bank_files_export(run=run, directory=tmp_path)
    assert sorted(p.name for p in paths) == [
        "2026-01-IBAZAZ2X.csv", "2026-01-IBAZAZ2X.xml", "2026-01-KAPIAZ2X.csv",
        "2026-01-KAPIAZ2X.xml",
    ]
    with (tmp_path / "2026-01-KAPIAZ2X.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["amount"] for r in rows] == ["300.00", "120.50"]
    root = ET.parse(tmp_path / "2026-01-KAPIAZ2X.xml").getroot()  # noqa: S314 (our own file)
    assert root.tag == f"{{{PAIN_NS}}}Document"
    header = root.find("p:CstmrCdtTrfInitn/p:GrpHdr", NS)
    assert header is not None
    assert header.findtext("p:NbOfTxs", namespaces=NS) == "2"
    assert header.findtext("p:CtrlSum", namespaces=NS) == "420.50"
    transfers = root.findall("p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf", NS)
    assert [t.findtext("p:PmtId/p:EndToEndId", namespaces=NS) for t in transfers] == [
        end_to_end_id(approved[0]), end_to_end_id(approved[1])
    ]
    amount = transfers[0].find("p:Amt/p:InstdAmt", NS)
    assert amount is not None and (amount.text, amount.get("Ccy")) == ("300.00", "AZN")
    # The schema's order of the payment information block.
    info = root.find("p:CstmrCdtTrfInitn/p:PmtInf", NS)
    assert info is not None
    tags = [child.tag.split("}")[1] for child in info][:9]
    assert tags == ["PmtInfId", "PmtMtd", "NbOfTxs", "CtrlSum", "ReqdExctnDt", "Dbtr",
                    "DbtrAcct", "DbtrAgt", "CdtTrfTxInf"]
    assert set(Payment.objects.values_list("status", flat=True)) == {PaymentStatus.EXPORTED}


def _answer(*rows: tuple[str, str, str]) -> list[str]:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["end_to_end_id", "status", "reason"])
    writer.writerows(rows)
    return out.getvalue().splitlines(keepends=True)


def test_it_reconciles_the_banks_answer_and_reissues_rejections(
    approved: list[Payment], tmp_path: Path
) -> None:
    bank_files_export(run=approved[0].run, directory=tmp_path)
    first, second, third = approved
    answer = _answer(
        (end_to_end_id(first), "paid", ""),
        (end_to_end_id(second), "rejected", "account closed"),
        ("DOST-999999", "paid", ""),
    )
    rec = bank_results_import(lines=answer)
    assert (rec.paid, rec.paid_amount, rec.rejected, rec.rejected_amount, rec.unknown) == (
        1, Decimal("300.00"), 1, Decimal("120.50"), ["DOST-999999"]
    )
    assert bank_results_import(lines=answer).unchanged == 2
    second.refresh_from_db()
    assert (second.status, second.rejection_reason) == ("rejected", "account closed")
    [again] = payments_reissue_rejected(period="2026-02")
    assert (again.award, again.period, again.reissue_of) == (second.award, "2026-01", second)
    assert payments_reissue_rejected(period="2026-02") == []
    third.refresh_from_db()
    assert third.status == PaymentStatus.EXPORTED  # not answered yet


def test_it_rejects_a_results_file_with_an_unknown_status(approved: list[Payment]) -> None:
    with pytest.raises(ValidationError):
        bank_results_import(lines=_answer((end_to_end_id(approved[0]), "lost", "")))


def test_it_runs_the_whole_cycle_from_the_command_line(pension: Service, tmp_path: Path) -> None:
    monthly(pension, dt.date(2026, 1, 1))
    out = io.StringIO()
    preparer = staff_user(Role.PAYROLL_OFFICER, username="prepares")
    staff_user(Role.PAYROLL_OFFICER, username="approves")
    call_command("payroll", "run", "--period", "2026-01", "--by", preparer.username, stdout=out)
    call_command("payroll", "totals", "--period", "2026-01", stdout=out)
    with pytest.raises(CommandError, match="someone other than"):  # four eyes: not the preparer
        call_command("payroll", "approve", "--period", "2026-01", "--by", "prepares", stdout=out)
    call_command("payroll", "approve", "--period", "2026-01", "--by", "approves", stdout=out)
    call_command("payroll", "export", "--period", "2026-01", "--out", str(tmp_path), stdout=out)
    payment = Payment.objects.get()
    answer = tmp_path / "answer.csv"
    answer.write_text("".join(_answer((end_to_end_id(payment), "rejected", "no such account"))),
                      encoding="utf-8")
    call_command("payroll", "import-results", "--file", str(answer), stdout=out)
    call_command("payroll", "reissue", "--period", "2026-02", stdout=out)
    text = out.getvalue()
    assert "2026-01: 1 payments created" in text
    assert "2026-01: approved" in text
    assert "rejected 1 (300.00)" in text
    assert "2026-02: 1 payments re-issued" in text


def test_it_exports_pain001_files_valid_against_the_official_schema(
    approved: list[Payment], tmp_path: Path
) -> None:
    paths = bank_files_export(run=approved[0].run, directory=tmp_path)
    xml_files = [p for p in paths if p.suffix == ".xml"]
    assert len(xml_files) == 2
    for path in xml_files:
        assert_valid_pain001(path)


def test_it_keeps_the_pain001_valid_whatever_the_registry_holds(
    pension: Service, tmp_path: Path
) -> None:
    # Entries a registry really holds: no bank, a bank code that is no BIC, an IBAN typed in
    # lower case with spaces, a local account number, a name with a control character.
    for bank, account in (
        ("", "AZ21KAPI00000000000000000001"),
        ("kapi az", "az21 kapi 0000 0000 0000 0000 02"),
        ("KAPIAZ2X", "40817810000000000003"),
        ("KAPIAZ2XXXX", ""),
    ):
        award = monthly(pension, dt.date(2026, 1, 1))
        award.bank, award.account = bank, account
        award.save()
    odd = monthly(pension, dt.date(2026, 1, 1)).person
    assert odd is not None
    # A control character, and a full name longer than the schema's 140 characters.
    odd.last_name, odd.first_name, odd.patronymic = "X\x07" + "y" * 70, "z" * 70, "w" * 70
    odd.save()
    payroll_approve(run=payroll_run(period="2026-01").run)
    paths = bank_files_export(run=Payment.objects.get(award__person=odd).run, directory=tmp_path)
    xml_files = sorted(p for p in paths if p.suffix == ".xml")
    assert len(xml_files) == 4
    for path in xml_files:
        assert_valid_pain001(path)
    root = ET.parse(tmp_path / "2026-01-kapi az.xml").getroot()  # noqa: S314 (our own file)
    [transfer] = root.findall("p:CstmrCdtTrfInitn/p:PmtInf/p:CdtTrfTxInf", NS)
    assert transfer.findtext("p:CdtrAgt/p:FinInstnId/p:Othr/p:Id", namespaces=NS) == "kapi az"
    assert transfer.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) == (
        "AZ21KAPI000000000000000002"
    )


def test_it_writes_the_csv_in_the_documented_column_format(
    approved: list[Payment], tmp_path: Path
) -> None:
    bank_files_export(run=approved[0].run, directory=tmp_path)
    with (tmp_path / "2026-01-IBAZAZ2X.csv").open(newline="", encoding="utf-8") as handle:
        header, *rows = list(csv.reader(handle))
    assert tuple(header) == CSV_COLUMNS == (
        "end_to_end_id", "period", "kind", "amount", "currency", "bank", "account",
        "beneficiary", "personal_id", "service",
    )
    payment = approved[2]
    person = payment.award.person
    assert person is not None
    assert rows == [[
        end_to_end_id(payment), "2026-01", "regular", "99.99", "AZN", "IBAZAZ2X",
        payment.account, person.full_name, person.personal_id, "04-01-01-01",
    ]]
