from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dost.catalog.models import localized
from dost.centres.models import Centre
from dost.registry.models import Region
from dost.security.roles import STAFF_ROLES, Role

MSG_BAD_TOKEN = _("The code is wrong or has expired. Enter the 6 digits your app shows now.")


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Security code"), help_text=_("The 6 digits shown by your authenticator app."),
        max_length=8, min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self) -> str:
        return str(self.cleaned_data["token"]).strip().replace(" ", "")


class ExtractForm(forms.Form):
    period = forms.RegexField(
        label=_("Month"), help_text=_("As YYYY-MM, for example 2026-03."),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
    )
    extract_key = forms.SlugField(
        label=_("Extract key"), max_length=40,
        help_text=_("A name for this extract. The same key gives the same pseudonyms; "
                    "another key gives pseudonyms that cannot be linked to these."),
    )
    fmt = forms.ChoiceField(label=_("Format"), choices=[("csv", "CSV"), ("parquet", "Parquet")],
                            widget=forms.RadioSelect, initial="csv")


class PersonExportForm(forms.Form):
    personal_id = forms.CharField(label=_("Personal ID"), max_length=20)
    purpose = forms.CharField(label=_("Reason for the export"), max_length=200,
                              help_text=_("For example the number of the citizen's request."))


# Staff and roles (administrators) ----------------------------------------------------------

MSG_NO_SUCH_USER = _("There is no active user with this username.")
MSG_USERNAME_REQUIRED = _("Enter the username of the person the role is for.")
MSG_ROLE_REQUIRED = _("Choose a role.")
MSG_CHANGE_REQUIRED = _("Say whether the role is given or taken away.")
MSG_REASON_REQUIRED = _("Say why the role is needed.")
MSG_CENTRE_OR_REGION = _("Choose a centre, a region, or both.")
MSG_DECISION_REQUIRED = _("Choose approve or reject.")

# The roles' names as people read them; the value (English) is the group's name.
ROLE_LABELS: dict[Role, Any] = {
    Role.CITIZEN: _("Citizen"),
    Role.OPERATOR: _("Front-office operator"),
    Role.CASE_OFFICER: _("Case officer"),
    Role.SUPERVISOR: _("Supervisor"),
    Role.SOCIAL_WORKER: _("Social worker"),
    Role.PAYROLL_OFFICER: _("Payroll officer"),
    Role.POLICY_ANALYST: _("Policy analyst"),
    Role.AUDITOR: _("Auditor"),
    Role.ADMINISTRATOR: _("Administrator"),
    Role.API_CLIENT: _("API client"),
}


def role_label(name: str) -> str:
    """A group's name as a role label in the active language (the name itself if unknown)."""
    try:
        return str(ROLE_LABELS[Role(name)])
    except ValueError:
        return name


class RoleGrantRequestForm(forms.Form):
    username = forms.CharField(
        label=_("Username"), max_length=150,
        help_text=_("The sign-in name of the person the role is for."),
        error_messages={"required": MSG_USERNAME_REQUIRED},
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=[(r.value, ROLE_LABELS[r]) for r in STAFF_ROLES],
        widget=forms.RadioSelect, error_messages={"required": MSG_ROLE_REQUIRED},
    )
    change = forms.ChoiceField(
        label=_("Give or take away?"),
        choices=[("grant", _("Give the role")), ("revoke", _("Take the role away"))],
        widget=forms.RadioSelect, initial="grant",
        error_messages={"required": MSG_CHANGE_REQUIRED},
    )
    reason = forms.CharField(
        label=_("Why is the change needed?"), max_length=300,
        help_text=_("For example the order or the ticket that asks for it."),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": MSG_REASON_REQUIRED},
    )

    def clean_username(self) -> Any:
        from dost.security.staff import user_by_username

        user = user_by_username(str(self.cleaned_data["username"]).strip())
        if user is None:
            raise forms.ValidationError(MSG_NO_SUCH_USER, code="no_user")
        return user


class GrantDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("Approve")), ("reject", _("Reject"))],
        error_messages={"required": MSG_DECISION_REQUIRED},
    )


class _Named(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Centres and regions by their name in the active language."""

    def label_from_instance(self, obj: Any) -> str:
        names = getattr(obj, "names", None)
        text = localized(names) if isinstance(names, dict) and names else ""
        return text or getattr(obj, "name", "") or str(obj)


class StaffAssignmentForm(forms.Form):
    centre = _Named(label=_("Centre"), queryset=Centre.objects.order_by("code"), required=False,
                    empty_label=_("No centre"))
    region = _Named(label=_("Region"), queryset=Region.objects.order_by("country", "code"),
                    required=False, empty_label=_("No region"))

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        if not data.get("centre") and not data.get("region"):
            self.add_error("centre", MSG_CENTRE_OR_REGION)
        return data
