"""Notifications: every case event tells the applicant, in their language, on their channels.

A case keeps the channels its applicant chose (`Case.notify_channels`: portal, sms, email).
For each event, `notifications_send` renders one message in the person's preferred language
and hands it, per channel, to every configured backend that serves the channel. Backends are
pluggable through the setting `DOST_NOTIFICATION_BACKENDS`, read when messages are sent:

    DOST_NOTIFICATION_BACKENDS = [
        "dost.cases.notifications.InboxBackend",
        "dost.cases.notifications.LogBackend",
        {"BACKEND": "dost.cases.notifications.EmailBackend",
         "OPTIONS": {"from_email": "noreply@dost.gov.az"}},
        {"BACKEND": "dost.cases.notifications.SmsGatewayBackend",
         "OPTIONS": {"url": "https://sms.example/send", "token": "…", "sender": "DOST"}},
    ]

Sending is idempotent: one `Notification` row per event and channel; a row already sent is
skipped, a failed one is tried again when the task runs again.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from collections.abc import Sequence
from typing import Any, ClassVar

from django.conf import settings
from django.core.mail import send_mail
from django.utils import formats, timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import override

from dost.cases.models import (
    CaseEvent,
    CaseKind,
    CaseStatus,
    Decision,
    Notification,
    NotificationStatus,
    NotifyChannel,
    Outcome,
)
from dost.cases.sla import appeal_deadline
from dost.catalog.models import localized

logger = logging.getLogger(__name__)

DEFAULT_BACKENDS: tuple[str, ...] = (
    "dost.cases.notifications.InboxBackend",
    "dost.cases.notifications.LogBackend",
)
LANGUAGE_CODES = ("az", "uz", "ru", "en")


class NotificationBackend:
    """Delivers a rendered notification on the channels it serves; raises when it cannot."""

    channels: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, **options: Any) -> None:
        self.options = options

    def send(self, notification: Notification) -> None:
        raise NotImplementedError


class InboxBackend(NotificationBackend):
    """The portal inbox: the notification row itself is the inbox message."""

    channels = frozenset({NotifyChannel.PORTAL.value})

    def send(self, notification: Notification) -> None:
        # Nothing leaves the machine: marking the row sent is what makes it show in the inbox.
        return None


class LogBackend(NotificationBackend):
    """Writes every message to the log (embedded mode, and an audit trail anywhere)."""

    channels = frozenset(NotifyChannel.values)

    def send(self, notification: Notification) -> None:
        logger.info(
            "notification case=%s channel=%s to=%s lang=%s subject=%r",
            notification.case_id, notification.channel,
            notification.address or notification.person_id, notification.language,
            notification.subject,
        )


class EmailBackend(NotificationBackend):
    """E-mail through Django's mail API (EMAIL_BACKEND, EMAIL_HOST, … settings)."""

    channels = frozenset({NotifyChannel.EMAIL.value})

    def send(self, notification: Notification) -> None:
        send_mail(
            notification.subject, notification.body,
            self.options.get("from_email") or settings.DEFAULT_FROM_EMAIL,
            [notification.address], fail_silently=False,
        )


class SmsGatewayBackend(NotificationBackend):
    """Posts {"to", "text", "sender"} as JSON to an SMS gateway's URL.

    Options: `url` (required), `token` (sent as a Bearer token), `sender`, `timeout` seconds.
    Any answer other than 2xx is a failure, kept on the row and retried with the task.
    """

    channels = frozenset({NotifyChannel.SMS.value})

    def send(self, notification: Notification) -> None:
        url = str(self.options["url"])
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"SMS gateway URL must be http(s): {url!r}")
        payload = {
            "to": notification.address,
            "text": f"{notification.subject}\n{notification.body}",
            "sender": self.options.get("sender", "DOST"),
        }
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url, data=json.dumps(payload).encode(), method="POST",
            headers={"Content-Type": "application/json"},
        )
        if token := self.options.get("token"):
            request.add_header("Authorization", f"Bearer {token}")
        timeout = float(self.options.get("timeout", 10))
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            if not 200 <= response.status < 300:
                raise RuntimeError(f"SMS gateway answered {response.status}")


def notification_backends() -> list[NotificationBackend]:
    """The configured backends, read from settings now (never at import time)."""
    configured: Sequence[str | dict[str, Any]] = getattr(
        settings, "DOST_NOTIFICATION_BACKENDS", DEFAULT_BACKENDS
    )
    backends: list[NotificationBackend] = []
    for entry in configured:
        path, options = (entry, {}) if isinstance(entry, str) else (
            entry["BACKEND"], dict(entry.get("OPTIONS") or {})
        )
        backend_class = import_string(path)
        backends.append(backend_class(**options))
    return backends


# --- Rendering ------------------------------------------------------------------------------


def _language(code: str) -> str:
    lang = (code or "").split("-")[0].lower()
    return lang if lang in LANGUAGE_CODES else str(settings.LANGUAGE_CODE)


def _current_decision(event: CaseEvent) -> Decision | None:
    # A message says the outcome, amount and reasons: the explanation and outputs stay unread.
    return (
        event.case.decisions.filter(is_current=True)
        .only("case_id", "outcome", "amount", "currency", "reasons", "decided_at").first()
    )


def render_message(event: CaseEvent, language: str) -> tuple[str, str]:
    """Subject and body of the message for `event`, in `language`."""
    case = event.case
    with override(language):
        service = localized(case.service.names, language)
        status = str(CaseStatus(event.status_to).label)
        subject = _("Case %(reference)s: %(status)s") % {
            "reference": case.reference, "status": status,
        }
        params = {"service": service}
        lines: list[str] = []
        target = event.status_to
        if target == CaseStatus.SUBMITTED and case.kind == CaseKind.APPEAL:
            lines.append(_("We have received your appeal about “%(service)s”.") % params)
            lines.append(_("A decision is due by %(date)s.") % {
                "date": formats.date_format(case.due_on, "DATE_FORMAT"),
            })
        elif target == CaseStatus.SUBMITTED:
            lines.append(_("We have received your application for “%(service)s”.") % params)
            lines.append(_("A decision is due by %(date)s.") % {
                "date": formats.date_format(case.due_on, "DATE_FORMAT"),
            })
        elif target == CaseStatus.IN_REVIEW:
            lines.append(_("A case officer is reviewing your case about “%(service)s”.") % params)
        elif target == CaseStatus.DECIDED:
            lines.extend(_decision_lines(event, language, params))
        elif target == CaseStatus.APPEALED:
            lines.append(_("Your appeal about “%(service)s” has been registered.") % params)
        elif target == CaseStatus.CLOSED:
            lines.append(_("Your case about “%(service)s” is closed.") % params)
        elif target == CaseStatus.WITHDRAWN:
            lines.append(_("Your application for “%(service)s” has been withdrawn.") % params)
        return subject, "\n".join(lines)


def _decision_lines(event: CaseEvent, language: str, params: dict[str, str]) -> list[str]:
    decision = _current_decision(event)
    case = event.case
    if decision is None:
        return []
    if decision.outcome == Outcome.APPROVED:
        lines = [_("Your application for “%(service)s” has been approved.") % params]
        if decision.amount is not None:
            lines.append(_("Amount: %(amount)s %(currency)s.") % {
                "amount": formats.number_format(decision.amount, 2),
                "currency": decision.currency,
            })
        return lines
    lines = [_("Your application for “%(service)s” has been refused, because:") % params]
    lines.extend(f"- {localized(r.get('text') or {}, language)}" for r in decision.reasons)
    if case.kind == CaseKind.APPLICATION:
        deadline = appeal_deadline(
            decided_on=timezone.localdate(decision.decided_at), country=case.service.country
        )
        lines.append(_("You can appeal until %(date)s.") % {
            "date": formats.date_format(deadline, "DATE_FORMAT"),
        })
    return lines


# --- Sending --------------------------------------------------------------------------------


def notifications_send(*, event_id: int) -> list[Notification]:
    """Send the messages for one case event on the applicant's channels; safe to run twice."""
    event = CaseEvent.objects.select_related(
        "case__service", "case__applicant"
    ).get(pk=event_id)
    person = event.case.applicant
    language = _language(person.preferred_language)
    subject, body = render_message(event, language)
    backends = notification_backends()
    addresses = {
        NotifyChannel.PORTAL: person.personal_id,
        NotifyChannel.SMS: person.phone,
        NotifyChannel.EMAIL: person.email,
    }
    sent: list[Notification] = []
    for channel in event.case.notify_channels:
        notification, _created = Notification.objects.get_or_create(
            event=event, channel=channel,
            defaults={
                "case": event.case, "person": person, "language": language,
                "address": addresses.get(channel, ""), "subject": subject[:200], "body": body,
            },
        )
        if notification.status == NotificationStatus.SENT:
            sent.append(notification)
            continue
        serving = [b for b in backends if channel in b.channels]
        if not serving:
            notification.status = NotificationStatus.NO_BACKEND
            notification.save(update_fields=["status"])
            continue
        notification.attempts += 1
        try:
            for backend in serving:
                backend.send(notification)
        except Exception as exc:
            # One channel failing must not stop the others; the row keeps the error for a retry.
            logger.warning("notification %s on %s failed: %s", notification.pk, channel, exc)
            notification.status = NotificationStatus.FAILED
            notification.error = str(exc)[:2000]
        else:
            notification.status = NotificationStatus.SENT
            notification.sent_at = timezone.now()
            notification.error = ""
            sent.append(notification)
        notification.save(update_fields=["status", "attempts", "error", "sent_at"])
    return sent
