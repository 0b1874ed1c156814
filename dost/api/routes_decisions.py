"""Decisions out: a dry-run evaluation with its explanation, and applications for citizens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Status

from dost.api.auth import require_scope
from dost.api.models import ClientApplication
from dost.api.problems import ProblemError
from dost.api.schemas import ApplicationIn, ApplicationOut, EvaluateIn, EvaluationOut
from dost.cases.models import Case, Decision
from dost.cases.rules_bridge import evaluate_for_case
from dost.cases.selectors import case_decision_current, case_id_from_reference
from dost.cases.services import case_submit, reasons_for
from dost.catalog.models import IntakeChannel, Service
from dost.registry.models import Household, Membership, Person

router = Router(tags=["decisions"])

# Another state system files on the citizen's behalf through their e-government account, so an
# API application enters the cases app as a portal application (the catalogue has no API channel).
API_INTAKE_CHANNEL = IntakeChannel.PORTAL

MSG_UNKNOWN_SERVICE = _("There is no active service %(service)s in the catalogue.")
MSG_UNKNOWN_HOUSEHOLD = _("No household with this reference is in the registry.")
MSG_UNKNOWN_APPLICANT = _("The applicant is not a current member of this household.")
MSG_APPLICATION_NOT_FOUND = _("No application with this reference was submitted by you.")


@router.post("/decisions/evaluate", response=EvaluationOut, operation_id="decision_evaluate",
             summary="Evaluate a service for a household (dry run)")
def decision_evaluate(request: HttpRequest, body: EvaluateIn) -> dict[str, Any]:
    """What the rules would decide for this household and period now, with the explanation
    and the parameter values used. Nothing is stored."""
    require_scope(request, "decisions:evaluate")
    service = Service.objects.filter(
        country=settings.DOST_COUNTRY, code=body.service, is_active=True
    ).first()
    if service is None:
        raise ProblemError(404, "unknown_service", MSG_UNKNOWN_SERVICE % {"service": body.service})
    household = Household.objects.filter(reference=body.household).first()
    if household is None:
        raise ProblemError(404, "unknown_household", MSG_UNKNOWN_HOUSEHOLD)
    applicant = Person.objects.filter(personal_id=body.applicant.strip().upper()).first()
    if applicant is None or not Membership.objects.filter(
        person=applicant, household=household, left_on__isnull=True
    ).exists():
        raise ProblemError(422, "not_a_member", MSG_UNKNOWN_APPLICANT)
    outcome = evaluate_for_case(
        service=service, household_id=household.pk, applicant_id=applicant.pk,
        period=body.period,
    )
    lang = body.language
    return {
        "service": service.code, "household": household.reference, "period": body.period,
        "approved": outcome.approved, "amount": outcome.amount, "currency": outcome.currency,
        "reasons": [
            {"code": r["code"], "text": r["text"].get(lang, r["code"])}
            for r in reasons_for(service, outcome.reason_codes)
        ],
        "explanation_text": outcome.explanation_text(lang),
        "explanation": outcome.explanation_tree(lang),
        "parameters": outcome.parameters,
        "rulebook": outcome.rulebook, "rulebook_version": outcome.rulebook_version,
    }


def _decision_dict(decision: Decision | None, lang: str = "en") -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "outcome": decision.outcome, "basis": decision.basis, "amount": decision.amount,
        "currency": decision.currency,
        "reasons": [
            {"code": str(r.get("code")), "text": str((r.get("text") or {}).get(lang, ""))}
            for r in decision.reasons
        ],
        "decided_at": decision.decided_at,
    }


def application_dict(case: Case) -> dict[str, Any]:
    return {
        "reference": case.reference, "service": case.service.code,
        "household": case.household.reference, "applicant": case.applicant.personal_id,
        "period": case.period, "status": case.status, "submitted_on": case.submitted_on,
        "due_on": case.due_on, "decision": _decision_dict(case_decision_current(case=case)),
    }


@router.post("/applications", response={201: ApplicationOut}, operation_id="application_submit",
             summary="Submit an application on behalf of a citizen")
def application_submit(request: HttpRequest, body: ApplicationIn) -> Status[dict[str, Any]]:
    """Opens a case as a portal application; a service decided by the rules is decided at once
    and the decision is in the answer."""
    client = require_scope(request, "applications:write")
    case = case_submit(
        service=body.service, applicant=body.applicant.strip().upper(),
        household=body.household, channel=API_INTAKE_CHANNEL, period=body.period,
        documents=body.documents,
    )
    ClientApplication.objects.create(client=client, case=case)
    case = Case.objects.select_related("service", "household", "applicant").get(pk=case.pk)
    return Status(201, application_dict(case))


@router.get("/applications/{reference}", response=ApplicationOut, operation_id="application_get",
            summary="An application you submitted, with its current decision")
def application_read(request: HttpRequest, reference: str) -> dict[str, Any]:
    client = require_scope(request, "applications:read")
    case_id = case_id_from_reference(reference[:20])
    link = (
        ClientApplication.objects.select_related(
            "case__service", "case__household", "case__applicant"
        ).filter(client=client, case_id=case_id).first()
        if case_id is not None else None
    )
    if link is None:
        raise ProblemError(404, "not_found", MSG_APPLICATION_NOT_FOUND)
    return application_dict(link.case)
