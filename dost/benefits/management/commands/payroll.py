"""`dost payroll run|totals|approve|export|import-results|reissue|backfill-totals`: the payroll.

`dost payroll run --period YYYY-MM` creates the payments of a month and is safe to repeat.
Four eyes: `run --by A` records the preparer, and `approve --by B` signs off only when B is a
payroll officer other than A. `backfill-totals` writes the report totals (`PayrollTotal`) of runs
approved before they existed; approval writes them from then on.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dost.benefits.models import PayrollRun
from dost.benefits.services.bank_files import bank_files_export, bank_results_import
from dost.benefits.services.payroll import (
    BATCH_SIZE,
    DEFAULT_ARREARS_MONTHS,
    payments_reissue_rejected,
    payroll_run,
    payroll_totals,
)
from dost.benefits.services.totals import payroll_totals_backfill
from dost.security.services.payroll import payroll_prepare, payroll_sign_off


class Command(BaseCommand):
    help = "Run, total and approve the monthly payroll."
    # A batch job: the web checks (URLs, templates) say nothing about it.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help="create the payments due for a month")
        run.add_argument("--period", required=True, help="YYYY-MM")
        run.add_argument("--arrears-months", type=int, default=DEFAULT_ARREARS_MONTHS)
        run.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        run.add_argument("--by", default="", help="username of the payroll officer preparing it "
                         "(needed before a second officer can approve the run)")
        totals = sub.add_parser("totals", help="totals by service, region and bank")
        totals.add_argument("--period", required=True)
        approve = sub.add_parser("approve", help="sign off a complete run (freezes it)")
        approve.add_argument("--period", required=True)
        approve.add_argument("--by", required=True, help="username of the approving payroll "
                             "officer: never the one who prepared the run (four eyes)")
        export = sub.add_parser("export", help="bank files (CSV and pain.001) of an approved run")
        export.add_argument("--period", required=True)
        export.add_argument("--out", type=Path, required=True, help="directory for the files")
        results = sub.add_parser("import-results", help="a bank's answer: paid or rejected")
        results.add_argument("--file", type=Path, required=True)
        results.add_argument("--period", default="", help="unused; accepted for symmetry")
        reissue = sub.add_parser("reissue", help="re-issue rejected payments in a run")
        reissue.add_argument("--period", required=True, help="the run to re-issue them in")
        backfill = sub.add_parser("backfill-totals", help="write the report totals of approved "
                                  "runs that have none (runs approved before they existed)")
        backfill.add_argument("--rewrite", action="store_true",
                              help="rewrite the totals of every approved run")
        backfill.add_argument("--period", default="", help="unused; accepted for symmetry")

    def handle(self, *args: Any, **options: Any) -> None:
        action, period = options["action"], options["period"]
        try:
            if action == "run":
                if options["by"]:
                    result = payroll_prepare(
                        period=period, preparer=_user(options["by"]),
                        arrears_months=options["arrears_months"],
                        batch_size=options["batch_size"],
                    )
                else:
                    result = payroll_run(
                        period=period, arrears_months=options["arrears_months"],
                        batch_size=options["batch_size"],
                    )
                self.stdout.write(
                    f"{period}: {result.created} payments created, "
                    f"{result.stopped} awards stopped"
                )
                return
            if action == "import-results":
                with options["file"].open(encoding="utf-8", newline="") as handle:
                    rec = bank_results_import(lines=handle)
                self.stdout.write(
                    f"paid {rec.paid} ({rec.paid_amount}), rejected {rec.rejected} "
                    f"({rec.rejected_amount}), unchanged {rec.unchanged}, "
                    f"unknown {len(rec.unknown)}"
                )
                return
            if action == "backfill-totals":
                written = payroll_totals_backfill(rewrite=options["rewrite"])
                for filled, count in written:
                    self.stdout.write(f"{filled.period}: {count} total rows")
                self.stdout.write(f"{len(written)} approved runs given their totals")
                return
            if action == "reissue":
                again = payments_reissue_rejected(period=period)
                self.stdout.write(f"{period}: {len(again)} payments re-issued")
                return
            run = PayrollRun.objects.filter(period=period).first()
            if run is None:
                raise CommandError(f"No payroll run for {period}.")
            if action == "export":
                for path in bank_files_export(run=run, directory=options["out"]):
                    self.stdout.write(f"wrote {path}")
                return
            if action == "approve":
                payroll_sign_off(run=run, approver=_user(options["by"]))
                self.stdout.write(f"{period}: approved by {options['by']}")
                return
            totals = payroll_totals(run=run)
            self.stdout.write(f"{period}: {totals.count} payments, {totals.total}")
            for title, rows in (
                ("service", totals.by_service), ("region", totals.by_region),
                ("bank", totals.by_bank),
            ):
                for key, total in rows.items():
                    self.stdout.write(f"  {title} {key or '-'}: {total}")
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        except PermissionDenied as error:
            raise CommandError(str(error)) from None


def _user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    try:
        return get_user_model().objects.get(username=username, is_active=True)
    except ObjectDoesNotExist:
        raise CommandError(f"No active user {username!r}.") from None
