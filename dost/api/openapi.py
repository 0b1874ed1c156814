"""The OpenAPI document as served, and the committed copy under docs/ it must equal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings

from dost.api.api import api

PATH_PREFIX = "/api/v1/"
COMMITTED = Path(settings.BASE_DIR) / "docs" / "openapi.json"


def openapi_document() -> dict[str, Any]:
    return dict(api.get_openapi_schema(path_prefix=PATH_PREFIX))


def openapi_text() -> str:
    return json.dumps(openapi_document(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"
