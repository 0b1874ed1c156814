"""The API object: version 1, bearer keys, problem details, and its routers."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.types import DictStrAny

from dost.api import routes_benefits, routes_decisions, routes_outbound, routes_registry
from dost.api.auth import ApiKeyAuth
from dost.api.problems import PROBLEM_CONTENT_TYPE, problem_handlers_install

API_VERSION = "1.0.0"

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `errors` lists the fields of a validation problem.",
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string", "description": "about:blank or urn:dost:problem:<code>"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {
            "type": "object",
            "properties": {"location": {"type": "string"}, "message": {"type": "string"},
                           "code": {"type": "string"}},
        }},
    },
}


class DostApi(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: DictStrAny | None = None
    ) -> OpenAPISchema:
        """Ninja's document, plus the one error shape every operation may answer with."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        problem = {
            "description": "A problem (RFC 9457)",
            "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for operations in schema["paths"].values():
            for operation in operations.values():
                # JSON keys are strings; ninja keeps the status codes as ints until rendering.
                responses = {str(code): answer for code, answer in operation["responses"].items()}
                responses.setdefault("4XX", problem)
                responses.setdefault("5XX", problem)
                operation["responses"] = responses
        return schema


api = DostApi(
    title="DOST API for state systems",
    version=API_VERSION,
    description=(
        "Life events in; registry, decisions and applications out; webhooks and bulk exports. "
        "Guide for integrators: docs/api.md."
    ),
    urls_namespace="api-v1",
    auth=ApiKeyAuth(),
    # Swagger UI from ninja's bundled static files ("ninja" is an installed app; without it ninja
    # would load the script from a CDN, which our CSP refuses). Its settings travel in a JSON
    # data block read by a static script, so `script-src 'self'` holds. No key needed to read
    # the documentation, as for /openapi.json; "Try it out" sends the key like any client.
    docs_url="/docs",
)
problem_handlers_install(api)
api.add_router("", routes_registry.router)
api.add_router("", routes_benefits.router)
api.add_router("", routes_decisions.router)
api.add_router("", routes_outbound.router)
