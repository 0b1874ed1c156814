"""The payroll officers' pages: runs, preparing a month, sign-off with four eyes, bank files
and the banks' answers.

Thin views over the services the `dost payroll` command calls: `payroll_prepare` and
`payroll_sign_off` (dost/security/services/payroll.py) put a named officer on each step and
refuse an approval by the preparer; `bank_files_export` and `bank_results_import` write and
read the bank files. A small payroll is prepared within the request, a large one by the task
worker (`tasks.payroll_prepare_start`). Nothing needs JavaScript.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dost.benefits.forms import PrepareRunForm, ResultsUploadForm
from dost.benefits.models import PayrollRun, RunStatus
from dost.benefits.selectors import (
    payroll_run_get,
    payroll_run_preparer_id,
    payroll_runs,
    payroll_totals_labelled,
)
from dost.benefits.services.bank_files import NO_BANK, bank_files_export, bank_results_import
from dost.benefits.services.payroll import payroll_totals
from dost.benefits.tasks import payroll_prepare_start
from dost.security.access import staff_required
from dost.security.services.payroll import payroll_sign_off

VIEW = "benefits.view_payrollrun"
MANAGE = "security.manage_payroll"
APPROVE = "security.approve_payroll"

MSG_PREPARED = gettext_lazy("The payroll of %(period)s is prepared: %(created)s new payments.")
MSG_QUEUED = gettext_lazy(
    "The payroll of %(period)s is being prepared in the background. It is listed here as "
    "running once the worker has started it, and as complete when it has finished."
)
MSG_APPROVED = gettext_lazy("Approved. The run is frozen; its bank files can be downloaded.")
MSG_WHY_OWN_RUN = gettext_lazy(
    "You prepared this run, so you cannot approve it: another payroll officer must check "
    "the totals and approve it (four eyes)."
)
MSG_WHY_NO_PREPARER = gettext_lazy(
    "This run was prepared from the command line without a named officer: prepare it again "
    "here before it can be approved."
)
MSG_WHY_RUNNING = gettext_lazy("The run has not finished: prepare it again to complete it.")
MSG_WHY_NO_PERMISSION = gettext_lazy("You may not approve payroll.")

FILE_FORMATS = {"csv": ("text/csv; charset=utf-8", ".csv"), "xml": ("application/xml", ".xml")}


def _run_or_404(period: str) -> PayrollRun:
    run = payroll_run_get(period=period)
    if run is None:
        raise Http404
    return run


def _refusal(error: ValidationError | PermissionDenied) -> list[str]:
    return error.messages if isinstance(error, ValidationError) else [str(error)]


@staff_required(VIEW)
@require_GET
def runs_view(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    return render(
        request,
        "benefits/runs.html",
        {
            "runs": list(payroll_runs()),
            "can_prepare": user.has_perm(MANAGE),
        },
    )


@staff_required(VIEW, MANAGE)
@require_http_methods(["GET", "POST"])
def run_prepare_view(request: HttpRequest) -> HttpResponse:
    form = PrepareRunForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        period = form.cleaned_data["period"]
        try:
            result = payroll_prepare_start(period=period, preparer=request.user)
        except (ValidationError, PermissionDenied) as error:
            for message in _refusal(error):
                form.add_error("period", message)
        else:
            if result is None:
                messages.success(request, MSG_QUEUED % {"period": period})
                return redirect("benefits:runs")
            messages.success(request, MSG_PREPARED % {"period": period, "created": result.created})
            return redirect("benefits:run", period=period)
    status = 400 if form.is_bound else 200
    return render(request, "benefits/prepare.html", {"form": form}, status=status)


def _approval_blocked(user: Any, run: PayrollRun) -> str:
    """Why this user cannot approve this run now ("" when they can)."""
    if not user.has_perm(APPROVE):
        return str(MSG_WHY_NO_PERMISSION)
    if run.status == RunStatus.RUNNING:
        return str(MSG_WHY_RUNNING)
    preparer = payroll_run_preparer_id(run)
    if preparer is None:
        return str(MSG_WHY_NO_PREPARER)
    if preparer == user.pk:
        return str(MSG_WHY_OWN_RUN)
    return ""


@staff_required(VIEW)
@require_GET
def run_view(request: HttpRequest, period: str) -> HttpResponse:
    user: Any = request.user
    run = _run_or_404(period)
    totals = payroll_totals_labelled(payroll_totals(run=run))
    return render(
        request,
        "benefits/run.html",
        {
            "run": run,
            "totals": totals,
            "approved": run.status == RunStatus.APPROVED,
            "approval_blocked": (
                _approval_blocked(user, run) if run.status != RunStatus.APPROVED else ""
            ),
            "can_export": user.has_perm(MANAGE),
        },
    )


@staff_required(VIEW, APPROVE)
@require_POST
def run_approve_view(request: HttpRequest, period: str) -> HttpResponse:
    run = _run_or_404(period)
    try:
        payroll_sign_off(run=run, approver=request.user)
    except (ValidationError, PermissionDenied) as error:
        for message in _refusal(error):
            messages.error(request, message)
    else:
        messages.success(request, MSG_APPROVED)
    return redirect("benefits:run", period=run.period)


# A POST: writing the files moves the run's payments from "waiting" to "sent to the bank".
@staff_required(VIEW, MANAGE)
@require_POST
def bank_file_view(request: HttpRequest, period: str, bank: str, fmt: str) -> HttpResponseBase:
    run = _run_or_404(period)
    if fmt not in FILE_FORMATS:
        raise Http404
    content_type, suffix = FILE_FORMATS[fmt]
    try:
        with tempfile.TemporaryDirectory(prefix="dost-bank-") as directory:
            written = {
                path.name: path for path in bank_files_export(run=run, directory=Path(directory))
            }
            name = f"{run.period}-{bank or NO_BANK}{suffix}"
            if name not in written:
                raise Http404
            content = written[name].read_bytes()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("benefits:run", period=run.period)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="dost-payroll-{name}"'
    return response


@staff_required(VIEW, MANAGE)
@require_http_methods(["GET", "POST"])
def results_upload_view(request: HttpRequest) -> HttpResponse:
    form = ResultsUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
    )
    reconciliation = None
    if request.method == "POST" and form.is_valid():
        try:
            reconciliation = bank_results_import(lines=form.cleaned_data["results"])
        except ValidationError as error:
            for message in error.messages:
                form.add_error("results", message)
        else:
            form = ResultsUploadForm()
    status = 400 if form.errors else 200
    return render(
        request,
        "benefits/results.html",
        {
            "form": form,
            "reconciliation": reconciliation,
        },
        status=status,
    )
