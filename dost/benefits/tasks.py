"""Background work of the payroll pages: preparing a large month away from the request.

`payroll_prepare_start` is what the prepare page calls: a payroll of up to
`DOST_PAYROLL_INLINE_MAX_AWARDS` active awards (default 20,000: seconds) is prepared within the
request; a larger one is queued as `payroll_prepare_task` for the task worker (`dost db_worker`
in production; in-process in the embedded mode, where it has finished on return). The task is
safe to run twice: `payroll_run` creates only the payments still missing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.tasks import task

from dost.benefits.models import Award, AwardStatus, PayrollRun, RunStatus
from dost.benefits.services.payroll import MSG_FROZEN, RunResult
from dost.security.services.payroll import MSG_MAY_NOT_PREPARE, payroll_prepare

INLINE_MAX_AWARDS = 20_000


@task()
def payroll_prepare_task(period: str, preparer_id: int) -> dict[str, int]:
    """Prepare the month's run in the preparer's name (the four-eyes record goes with it)."""
    preparer = get_user_model().objects.get(pk=preparer_id, is_active=True)
    result = payroll_prepare(period=period, preparer=preparer)
    return {"run": result.run.pk, "created": result.created, "stopped": result.stopped}


def payroll_prepare_start(*, period: str, preparer: Any) -> RunResult | None:
    """Prepare the month now (its result), or queue it (None). A frozen month is refused before
    anything is queued, so the officer hears it on the page rather than from a worker log."""
    limit = int(getattr(settings, "DOST_PAYROLL_INLINE_MAX_AWARDS", INLINE_MAX_AWARDS))
    if Award.objects.filter(status=AwardStatus.ACTIVE).count() <= limit:
        return payroll_prepare(period=period, preparer=preparer)
    if PayrollRun.objects.filter(period=period, status=RunStatus.APPROVED).exists():
        raise ValidationError(MSG_FROZEN % {"period": period}, code="frozen")
    if not preparer.has_perm("security.manage_payroll"):
        # The task would refuse too, but only in the worker's log.
        raise ValidationError(MSG_MAY_NOT_PREPARE, code="permission")
    payroll_prepare_task.enqueue(period, preparer.pk)
    return None
