from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dost.certificates.models import CertificateKind

MSG_KIND = _("Select which certificate you need")
MSG_LANGUAGE = _("Select the language of the certificate")
MSG_PERSONAL_ID = _("Enter the person’s personal ID")
MSG_NO_PERSON = _("There is no person with this personal ID in the registry")
MSG_FILE = _("Select the certificate’s PDF file")
MSG_FILE_TOO_BIG = _("The file must be smaller than 10 MB")
MSG_CODE = _("Enter the verification code printed on the certificate")
MAX_UPLOAD_BYTES = 10 * 1024 * 1024


def _languages() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


class IssueForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Which certificate do you need?"), choices=CertificateKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": MSG_KIND, "invalid_choice": MSG_KIND},
    )
    language = forms.ChoiceField(
        label=_("Language of the certificate"), choices=(),
        error_messages={"required": MSG_LANGUAGE, "invalid_choice": MSG_LANGUAGE},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = _languages()  # type: ignore[attr-defined]


class StaffIssueForm(IssueForm):
    personal_id = forms.CharField(
        label=_("Personal ID"), max_length=14,
        error_messages={"required": MSG_PERSONAL_ID},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    field_order = ["personal_id", "kind", "language"]


class CheckFileForm(forms.Form):
    file = forms.FileField(
        label=_("Upload the PDF file to check"),
        help_text=_("The file is compared with the certificate as issued and not kept."),
        error_messages={"required": MSG_FILE, "empty": MSG_FILE, "invalid": MSG_FILE},
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(MSG_FILE_TOO_BIG, code="too_big")
        return upload


class LookupForm(forms.Form):
    code = forms.CharField(
        label=_("Verification code"), max_length=40,
        help_text=_("Printed under the QR code of the certificate."),
        error_messages={"required": MSG_CODE},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
