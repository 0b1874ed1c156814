"""Forms of the citizen portal: one question per form, as the pages ask one thing at a time."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dost.cases.models import NotifyChannel
from dost.centres.models import Centre
from dost.registry.models import Person
from dost.security.uploads import MSG_EMPTY

MSG_PERSONAL_ID_REQUIRED = _("Enter your personal ID.")
MSG_CHOOSE_PERSON = _("Select who the application is for.")
MSG_CHOOSE_CHANNEL = _("Select at least one way to tell you about the decision.")
MSG_CHOOSE_FILE = _("Select a file to upload.")
MSG_CHOOSE_CENTRE = _("Select a centre.")
MSG_CONFIRM = _("Confirm that the information is correct.")


class DemoSignInForm(forms.Form):
    personal_id = forms.CharField(
        label=_("Personal ID"), max_length=14,
        help_text=_("For the demonstration: the personal ID of a person in the demo registry."),
        error_messages={"required": MSG_PERSONAL_ID_REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class BeneficiaryForm(forms.Form):
    def __init__(self, *args: Any, members: list[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"] = forms.ChoiceField(
            label=_("Who is this application for?"),
            choices=[(str(p.pk), p.full_name) for p in members], widget=forms.RadioSelect,
            error_messages={"required": MSG_CHOOSE_PERSON, "invalid_choice": MSG_CHOOSE_PERSON},
        )


class NotifyForm(forms.Form):
    def __init__(self, *args: Any, person: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[str, Any]] = [
            (NotifyChannel.PORTAL.value, _("In my cabinet on this portal"))
        ]
        if person.phone:
            choices.append((NotifyChannel.SMS.value, _("By SMS to %(phone)s") % {
                "phone": person.phone}))
        if person.email:
            choices.append((NotifyChannel.EMAIL.value, _("By e-mail to %(email)s") % {
                "email": person.email}))
        self.fields["channels"] = forms.MultipleChoiceField(
            label=_("How should we tell you about the decision?"), choices=choices,
            widget=forms.CheckboxSelectMultiple, help_text=_("Select all that apply."),
            error_messages={"required": MSG_CHOOSE_CHANNEL, "invalid_choice": MSG_CHOOSE_CHANNEL},
        )


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Upload a file"),
        error_messages={
            "required": MSG_CHOOSE_FILE, "empty": MSG_EMPTY, "invalid": MSG_CHOOSE_FILE,
        },
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I confirm that the information I have given is correct."),
        error_messages={"required": MSG_CONFIRM},
    )


class CentreForm(forms.Form):
    def __init__(self, *args: Any, centres: list[Centre], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["centre"] = forms.ChoiceField(
            label=_("Which centre do you want to visit?"),
            choices=[(c.code, c.name) for c in centres], widget=forms.RadioSelect,
            error_messages={"required": MSG_CHOOSE_CENTRE, "invalid_choice": MSG_CHOOSE_CENTRE},
        )
