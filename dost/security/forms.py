from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
