"""Payroll with four eyes: one payroll officer prepares a run, another approves it.

The benefits app computes runs (`payroll_run`) and freezes them (`payroll_approve`); these two
services put a person on each step, refuse an approval by the preparer or a second approval of
the same run, and log both in the change log. Staff screens and commands that prepare or approve
payroll on behalf of a person call these, not the benefits services directly.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dost.audit.services import change_record, state_of
from dost.benefits.models import PayrollRun, RunStatus
from dost.benefits.services.payroll import RunResult, payroll_approve, payroll_run
from dost.security.models import PayrollSignOff

MSG_MAY_NOT_PREPARE = _("You may not prepare payroll.")
MSG_MAY_NOT_APPROVE = _("You may not approve payroll.")
MSG_OWN_RUN = _("A payroll run must be approved by someone other than who prepared it.")
MSG_NOT_PREPARED = _("This payroll run was not prepared by a named officer; prepare it again.")
MSG_ALREADY_APPROVED = _("This payroll run is already approved.")

RUN_FIELDS = ["period", "status", "completed_at", "approved_at", "approved_by"]


def payroll_prepare(*, period: str, preparer: Any, **run_options: int) -> RunResult:
    if not preparer.has_perm("security.manage_payroll"):
        raise PermissionDenied(MSG_MAY_NOT_PREPARE)
    # Not one transaction around the run: `payroll_run` commits batch by batch so that a run
    # killed half-way resumes where it stopped (the database refuses a second payment for an
    # award and period). Only the sign-off and its change record are written together.
    result = payroll_run(period=period, **run_options)
    with transaction.atomic():
        _record_preparer(result, preparer)
    return result


def _record_preparer(result: RunResult, preparer: Any) -> None:
    sign_off, created = PayrollSignOff.objects.get_or_create(
        run=result.run, defaults={"prepared_by": preparer})
    if not created and sign_off.prepared_by_id != preparer.pk:
        # A re-run changes what is paid: whoever ran it last is its preparer.
        sign_off.prepared_by, sign_off.prepared_at = preparer, timezone.now()
        sign_off.save(update_fields=["prepared_by", "prepared_at"])
    change_record(object_type="benefits.payrollrun", object_id=result.run.pk,
                  action="payroll prepared", before=None,
                  after={**(state_of(result.run, RUN_FIELDS) or {}), "created": result.created},
                  actor=preparer)


@transaction.atomic
def payroll_sign_off(*, run: PayrollRun, approver: Any) -> PayrollRun:
    if not approver.has_perm("security.approve_payroll"):
        raise PermissionDenied(MSG_MAY_NOT_APPROVE)
    try:
        sign_off = PayrollSignOff.objects.select_for_update().get(run=run)
    except PayrollSignOff.DoesNotExist:
        raise ValidationError(MSG_NOT_PREPARED, code="not_prepared") from None
    if sign_off.prepared_by_id == approver.pk:
        raise PermissionDenied(MSG_OWN_RUN)
    current = PayrollRun.objects.get(pk=run.pk)
    if sign_off.approved_by_id is not None or current.status == RunStatus.APPROVED:
        raise ValidationError(MSG_ALREADY_APPROVED, code="approved")
    before = state_of(current, RUN_FIELDS)
    approved = payroll_approve(run=current, approver=approver)
    sign_off.approved_by, sign_off.approved_at = approver, approved.approved_at
    sign_off.save(update_fields=["approved_by", "approved_at"])
    change_record(object_type="benefits.payrollrun", object_id=run.pk,
                  action="payroll approved", before=before,
                  after=state_of(approved, RUN_FIELDS), actor=approver)
    return approved
