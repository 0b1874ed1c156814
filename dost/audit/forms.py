from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class AuditSearchForm(forms.Form):
    personal_id = forms.CharField(label=_("Personal ID"), max_length=20, required=False)
    actor = forms.CharField(label=_("Staff username"), max_length=150, required=False)
    since = forms.DateField(label=_("From (YYYY-MM-DD)"), required=False)
    until = forms.DateField(label=_("Until, not included (YYYY-MM-DD)"), required=False)
