"""Citizen sign-in through the national eID, an OpenID Connect provider.

mozilla-django-oidc runs the authorization-code flow and checks the ID token; this backend then
reads the personal-ID claim (`DOST_OIDC_PERSONAL_ID_CLAIM`), finds that person in the registry
and signs in the user linked to them, creating the user and its `CitizenLink` at first sign-in.
A personal ID the registry does not know is refused with a message on the sign-in page: the
portal shows nothing to a person it cannot place in a household.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from dost.portal.services import citizen_person_find, citizen_user_for
from dost.registry.models import Person

MSG_NO_CLAIM = _("The identity provider did not tell us your personal ID, so you cannot sign in.")


class CitizenOIDCBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """Signs in citizens by their personal ID; never staff (they use /accounts/login/)."""

    def authenticate(self, request: Any, **kwargs: Any) -> User | None:
        # Listed after Django's ModelBackend, this backend is asked about every sign-in; it
        # answers only the eID callback, and only when OIDC is configured.
        if not settings.DOST_OIDC_ENABLED or request is None:
            return None
        return super().authenticate(request, **kwargs)  # type: ignore[no-any-return]

    def _refuse(self, message: Any) -> None:
        request = getattr(self, "request", None)
        if request is not None:
            messages.error(request, message)
        raise SuspiciousOperation(str(message))

    def person_for_claims(self, claims: dict[str, Any]) -> Person:
        value = str(claims.get(settings.DOST_OIDC_PERSONAL_ID_CLAIM) or "").strip()
        if not value:
            self._refuse(MSG_NO_CLAIM)
        try:
            return citizen_person_find(personal_id=value)
        except ValidationError as error:
            self._refuse(error.messages[0])
            raise  # unreachable: _refuse raised

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get(settings.DOST_OIDC_PERSONAL_ID_CLAIM))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[User]:
        person = self.person_for_claims(claims)
        return User.objects.filter(citizen_link__person=person, is_staff=False)

    def create_user(self, claims: dict[str, Any]) -> User:
        return citizen_user_for(person=self.person_for_claims(claims))

    def describe_user_by_claims(self, claims: dict[str, Any]) -> str:
        return "a citizen's personal ID"  # never the ID itself: logs are not the registry


class CitizenCallbackView(OIDCAuthenticationCallbackView):  # type: ignore[misc]
    """Back from the eID: to the cabinet, or to the sign-in page with the reason."""

    @property
    def failure_url(self) -> str:
        return reverse("portal:login")

    @property
    def success_url(self) -> str:
        # The page asked for before signing in (checked when the flow began), else the cabinet.
        return str(self.request.session.get("oidc_login_next") or reverse("portal:cabinet"))


class CitizenAuthenticateView(OIDCAuthenticationRequestView):  # type: ignore[misc]
    """Off to the eID's authorization endpoint; there is no such page while OIDC is off."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not settings.DOST_OIDC_ENABLED:
            raise Http404
        return super().get(request)  # type: ignore[no-any-return]
