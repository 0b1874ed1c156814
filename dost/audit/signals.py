"""Change log entries for awards and decisions.

The benefits and cases services write these rows in many places (rules runs, staff decisions,
overrides, appeals, the proactive engine); a save hook on the two models catches every one of
them, including future ones, where a call in each service would miss the next. Bulk updates
bypass it: the services do not change awards or decisions in bulk, except marking the previous
decision "not current", which the new decision's row records as its `before`.
"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save, pre_save

from dost.audit.services import change_record, state_of

AWARD_FIELDS = ["service", "person", "household", "frequency", "currency", "start", "end",
                "status", "status_reason", "case", "decision", "bank", "account"]
DECISION_FIELDS = ["case", "basis", "outcome", "amount", "currency", "reasons", "note", "period",
                   "decided_by", "approved_by", "is_current"]


def _award_before(sender: Any, instance: Any, **kwargs: Any) -> None:
    instance._audit_before = (
        state_of(sender.objects.filter(pk=instance.pk).first(), AWARD_FIELDS)
        if instance.pk else None
    )


def _award_after(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    after = state_of(instance, AWARD_FIELDS)
    before = getattr(instance, "_audit_before", None)
    if before == after:
        return
    change_record(object_type="benefits.award", object_id=instance.pk,
                  action="award created" if created else "award changed",
                  before=before, after=after, person_id=instance.person_id,
                  reason=instance.status_reason)


def _decision_after(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    previous = (
        sender.objects.filter(case_id=instance.case_id).exclude(pk=instance.pk)
        .order_by("-decided_at", "-pk").first()
    )
    actor = instance.approved_by or instance.decided_by
    change_record(object_type="cases.decision", object_id=instance.pk,
                  action=f"decision ({instance.basis})",
                  before=state_of(previous, DECISION_FIELDS),
                  after=state_of(instance, DECISION_FIELDS), actor=actor,
                  person_id=instance.case.applicant_id)


def connect() -> None:
    from dost.benefits.models import Award
    from dost.cases.models import Decision

    pre_save.connect(_award_before, sender=Award, dispatch_uid="audit-award-before")
    post_save.connect(_award_after, sender=Award, dispatch_uid="audit-award-after")
    post_save.connect(_decision_after, sender=Decision, dispatch_uid="audit-decision-after")
