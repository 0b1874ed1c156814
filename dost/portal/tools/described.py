"""Point each input's `aria-describedby` at the hint and error the shared field partial prints.

Django names them `<id>_helptext` and `<id>_error`, while dost/_field.html prints `<id>-hint`
and `<id>-error`; without this a screen reader would not read the hint or the error with the
input. Radios are described on their fieldset by dost/_radios.html, so they are left alone.
"""

from __future__ import annotations

from typing import Any

from django import forms


class DescribedByPartial(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._describe()

    def _describe(self) -> None:
        errors = getattr(self, "_errors", None) or {}
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.RadioSelect):
                continue
            auto_id = self[name].auto_id
            ids = [f"{auto_id}-hint"] if field.help_text else []
            if name in errors:
                ids.append(f"{auto_id}-error")
            field.widget.attrs["aria-describedby"] = " ".join(ids)
            if not ids:
                del field.widget.attrs["aria-describedby"]

    def full_clean(self) -> None:
        super().full_clean()
        self._describe()
