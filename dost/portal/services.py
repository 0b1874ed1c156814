"""Writes of the citizen portal: linking a signed-in user to a registry person, uploads, and
sending an application (through `dost.cases.services.case_submit`, channel "portal")."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dost.cases.models import Case, Notification, NotificationStatus, NotifyChannel
from dost.cases.services import case_submit
from dost.catalog.models import IntakeChannel, Service
from dost.portal.models import Upload
from dost.registry.models import Household, Person
from dost.registry.national_id import validate_personal_id
from dost.security.models import CitizenLink
from dost.security.uploads import content_type_of, validate_upload

MSG_UNKNOWN_PERSONAL_ID = _(
    "We could not find a person with this personal ID in the registry. Check the number, or "
    "visit a DOST centre to be registered."
)
MSG_DECEASED = _("This personal ID belongs to a person recorded as deceased.")
# The stored file's suffix by the type found in its first bytes (never the visitor's name).
SUFFIXES = {"pdf": ".pdf", "jpeg": ".jpg", "png": ".png"}


def max_upload_bytes() -> int:
    # One limit for every upload of the platform (dost.security.uploads).
    return int(settings.DOST_UPLOAD_MAX_BYTES)


def citizen_user_for(*, person: Person) -> User:
    """The portal user of `person`, created (with no password) and linked at first sign-in."""
    link = CitizenLink.objects.select_related("user").filter(person=person).first()
    if link is not None:
        return link.user
    try:
        with transaction.atomic():
            user = User(username=f"citizen-{person.pk}", is_staff=False, is_superuser=False)
            # Citizens sign in through the eID (or the demo's sign-in), never with a password.
            user.set_unusable_password()
            user.save()
            CitizenLink.objects.create(user=user, person=person)
    except IntegrityError:
        # A second sign-in raced this one and made the link first.
        return CitizenLink.objects.select_related("user").get(person=person).user
    return user


def citizen_person_find(*, personal_id: str, country: str | None = None) -> Person:
    """The living registry person with this personal ID; ValidationError naming the problem."""
    value = personal_id.strip().upper()
    validate_personal_id(value, country or str(settings.DOST_COUNTRY))
    person = Person.objects.filter(personal_id=value).first()
    if person is None:
        raise ValidationError(MSG_UNKNOWN_PERSONAL_ID, code="unknown_person")
    if person.death_date is not None:
        raise ValidationError(MSG_DECEASED, code="deceased")
    return person


def upload_check(file: UploadedFile[Any]) -> tuple[str, str]:
    """The checked (content type, file suffix) of an upload; ValidationError when refused."""
    kind = validate_upload(file, max_bytes=max_upload_bytes())
    return content_type_of(kind), SUFFIXES[kind]


@transaction.atomic
def upload_store(*, person: Person, service: Service, code: str, file: UploadedFile[Any]) -> Upload:
    """Keep a checked file for a document of an application not yet sent; it replaces the
    previous draft upload of the same document."""
    content_type, suffix = upload_check(file)
    for old in Upload.objects.filter(person=person, service=service, code=code, case=None):
        old.file.delete(save=False)
        old.delete()
    upload = Upload(
        person=person, service=service, code=code, content_type=content_type,
        size=int(file.size or 0), original_name=(file.name or "")[-200:],
    )
    # The stored name is ours, with the suffix of the type found: never the visitor's name.
    upload.file.save(f"{person.pk}-{code}{suffix}", file, save=False)
    upload.save()
    return upload


@dataclass(frozen=True)
class Answers:
    """What the question pages collected."""

    beneficiary: Person | None
    notify_channels: Sequence[str]
    uploads: dict[str, Upload]  # document code -> draft upload
    provided: Sequence[str]  # codes satisfied by the portal itself (the application form)


@transaction.atomic
def application_send(
    *, user: User, person: Person, household: Household, service: Service, period: str,
    answers: Answers,
) -> Case:
    """Open the case through the cases service (channel portal) and attach the uploads."""
    documents: list[str | dict[str, str]] = [
        {"code": code, "reference": upload.reference} for code, upload in answers.uploads.items()
    ]
    documents.extend(answers.provided)
    case = case_submit(
        service=service, applicant=person, household=household, channel=IntakeChannel.PORTAL,
        period=period, documents=documents, actor=user,
        notify_channels=list(answers.notify_channels), beneficiary=answers.beneficiary,
    )
    Upload.objects.filter(pk__in=[u.pk for u in answers.uploads.values()]).update(case=case)
    return case


def inbox_mark_read(*, person: Person) -> int:
    """Mark the person's portal messages read (they have just been shown the inbox)."""
    return Notification.objects.filter(
        person=person, channel=NotifyChannel.PORTAL, status=NotificationStatus.SENT,
        read_at__isnull=True,
    ).update(read_at=timezone.now())
