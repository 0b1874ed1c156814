"""Every test starts in English, the source language, unless it picks a language itself.

The site default (`LANGUAGE_CODE`) is Azerbaijani or Uzbek, and every app ships complete
catalogs, so without this a message asserted in a test would depend on the catalogs. Tests of
other languages set one explicitly: a language cookie or Accept-Language on the request, a
person's preferred language, or `translation.override` (see dost/tests/test_translations.py).

(The fixture has its own name: an app conftest may define an `_english` fixture, which would
shadow a parent fixture of the same name.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _tests_start_in_english(settings: Any) -> Iterator[None]:
    settings.LANGUAGE_CODE = "en"
    # Requests activate a language that outlives them in the thread: reset it for each test.
    with translation.override("en"):
        yield
