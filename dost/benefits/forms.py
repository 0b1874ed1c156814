"""Forms of the payroll pages: the month to prepare, and a bank's results file.

The results form reads the whole file before anything is written and reports every line that
is wrong, so an officer fixes the file once; `bank_results_import` then applies it in one
transaction (and refuses it whole if it still finds a bad line).
"""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from dost.benefits.models import PaymentStatus
from dost.benefits.services.bank_files import MSG_BAD_COLUMNS, MSG_BAD_RESULT, RESULT_COLUMNS

MSG_PERIOD = _("Enter the month as YYYY-MM, for example 2026-03.")
MSG_FILE_REQUIRED = _("Choose the bank's results file.")
MSG_FILE_EMPTY = _("The file is empty.")
MSG_FILE_TOO_BIG = _("The file is larger than %(limit)s.")
MSG_FILE_NOT_TEXT = _("The file must be a CSV text file in UTF-8.")
MSG_NO_ID = _("Line %(line)s: the end-to-end ID is missing.")
MSG_MORE_ERRORS = ngettext_lazy(
    "One more line is wrong.", "%(count)s more lines are wrong.", "count"
)
# A file with thousands of bad lines is one mistake (a wrong file): list the first ones.
MAX_LINE_ERRORS = 50


class PrepareRunForm(forms.Form):
    period = forms.RegexField(
        label=_("Month to pay"),
        help_text=_("As YYYY-MM, for example 2026-03."),
        regex=r"^\d{4}-(0[1-9]|1[0-2])$",
        max_length=7,
        error_messages={"required": MSG_PERIOD, "invalid": MSG_PERIOD},
    )


class ResultsUploadForm(forms.Form):
    results = forms.FileField(
        label=_("Bank results file"),
        help_text=_("CSV with the columns end_to_end_id, status (paid or rejected) and reason."),
        error_messages={"required": MSG_FILE_REQUIRED, "empty": MSG_FILE_EMPTY},
    )

    def clean_results(self) -> list[str]:
        """The file's lines, once every line has been checked."""
        upload: Any = self.cleaned_data["results"]
        limit = int(settings.DOST_UPLOAD_MAX_BYTES)
        if (upload.size or 0) > limit:
            raise ValidationError(
                MSG_FILE_TOO_BIG, code="size", params={"limit": filesizeformat(limit)}
            )
        raw: bytes = upload.read()
        if not raw:
            raise ValidationError(MSG_FILE_EMPTY, code="empty")
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(MSG_FILE_NOT_TEXT, code="type") from None
        if "\x00" in text:
            raise ValidationError(MSG_FILE_NOT_TEXT, code="type")
        lines = text.splitlines(keepends=True)
        reader = csv.DictReader(lines)
        if reader.fieldnames is None or not set(RESULT_COLUMNS) <= set(reader.fieldnames):
            raise ValidationError(
                MSG_BAD_COLUMNS, code="columns", params={"columns": ", ".join(RESULT_COLUMNS)}
            )
        errors: list[ValidationError] = []
        answers = (PaymentStatus.PAID.value, PaymentStatus.REJECTED.value)
        for number, row in enumerate(reader, start=2):
            status = (row.get("status") or "").strip().lower()
            if not (row.get("end_to_end_id") or "").strip():
                errors.append(ValidationError(MSG_NO_ID, code="no_id", params={"line": number}))
            elif status not in answers:
                errors.append(
                    ValidationError(
                        MSG_BAD_RESULT, code="bad_status", params={"line": number, "status": status}
                    )
                )
        if len(errors) > MAX_LINE_ERRORS:
            more = len(errors) - MAX_LINE_ERRORS
            errors = [
                *errors[:MAX_LINE_ERRORS],
                ValidationError(MSG_MORE_ERRORS, code="more", params={"count": more}),
            ]
        if errors:
            raise ValidationError(errors)
        return lines
