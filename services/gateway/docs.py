"""Published API documents: OpenAPI 3.1 (from the app) and AsyncAPI 3.0 (from the contracts)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from starlette.routing import BaseRoute

from services.gateway.docs_roles import declare_security, describe_operations
from services.gateway.errors import HTTP_CODES, PROBLEM_BASE, PROBLEM_MEDIA_TYPE, Problem

REF_TEMPLATE = "#/components/schemas/{model}"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Optional but recommended on every POST, PUT and DELETE. The first response to a key is "
        "stored for at least 24 h and replayed (with `Idempotent-Replayed: true`) to a retry "
        "with the same key and body (compared as parsed JSON); the same key with another body is "
        "422 `idempotency_key_reused`; a retry while the first is still running is 409 "
        "`idempotency_request_in_progress`, except on `POST /v1/quotes` and `POST /v1/orders`, "
        "where the orders service keeps the key and such a retry waits for the first's answer. "
        "A request refused by validation is not stored. "
        "Keys are per caller and per target (method and path): the same key sent to another "
        "operation or resource is another request."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    "example": "4f6a1c9e-7d2b-4a53-9f1e-2b8c0d3e5a71",
}
REQUEST_ID_PARAMETER = {
    "name": "X-Request-ID",
    "in": "header",
    "required": False,
    "description": (
        "Correlation id echoed in the response and in every log line. A new one is generated when "
        "it is absent or is not 1-64 characters of `A-Z a-z 0-9 . _ : -`."
    ),
    "schema": {"type": "string"},
}


def custom_openapi(app: FastAPI, routes: Sequence[BaseRoute] | None = None) -> dict[str, Any]:
    """FastAPI's document, corrected for what the middleware does: every error is problem+json;
    any operation may answer 429; POSTs take Idempotency-Key and may answer 413; operations with
    credentials may answer 401 and 403. `routes`: in the document's order (default: the app's)."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=list(app.routes if routes is None else routes),
        tags=app.openapi_tags,
    )
    schemas = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in (
        Problem.model_json_schema(ref_template=REF_TEMPLATE).pop("$defs", {}).items()
    ):
        schemas.setdefault(name, definition)
    schemas.setdefault("Problem", Problem.model_json_schema(ref_template=REF_TEMPLATE))
    schemas.pop("HTTPValidationError", None)  # FastAPI's 422 body; ours is a Problem
    schemas.pop("ValidationError", None)
    declare_security(app, schema)
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            _complete_operation(method, operation)
    describe_operations(app, schema.get("paths", {}))
    app.openapi_schema = schema
    return schema


def _without_null(schema: dict[str, Any]) -> dict[str, Any]:
    """A header, query or path value is text or absent, never JSON null: FastAPI publishes an
    optional parameter as `anyOf: [X, null]`, and a client taking that literally sends "null"."""
    variants = [v for v in schema.get("anyOf", []) if v.get("type") != "null"]
    if len(variants) == 1 and len(variants) < len(schema.get("anyOf", [])):
        rest = {k: v for k, v in schema.items() if k != "anyOf"}
        return {**variants[0], **rest}
    return schema


def _optional_body(body: dict[str, Any]) -> None:
    """An optional body is published as its object alone, `required: false`: FastAPI spells
    "optional" as `anyOf: [X, null]`, but no body means no body, and JSON `null` is refused
    (services/gateway/models.py, optional_body_is_an_object)."""
    if body.get("required"):
        return
    body["required"] = False
    for media in body.get("content", {}).values():
        media["schema"] = _without_null(media.get("schema", {}))


def _problem(description: str) -> dict[str, Any]:
    return {"description": description}  # content (problem+json) is added for every error below


def _complete_operation(method: str, operation: dict[str, Any]) -> None:
    params = operation.setdefault("parameters", [])
    for param in params:
        param["schema"] = _without_null(param.get("schema", {}))
    params.append(dict(REQUEST_ID_PARAMETER))
    responses = operation.setdefault("responses", {})
    if responses.get("422", {}).get("description") == "Validation Error":  # FastAPI's wording
        responses["422"]["description"] = "Invalid input; `errors` lists the offending fields."
    responses.setdefault("429", _problem("Too many requests; see Retry-After."))
    if "security" in operation:
        responses.setdefault("401", _problem("Missing or invalid credentials."))
        responses.setdefault("403", _problem("The caller's role or key does not allow this."))
    if "requestBody" in operation:
        _optional_body(operation["requestBody"])
        responses.setdefault("400", _problem("The body could not be parsed (e.g. not UTF-8)."))
    if any(p.get("name") == "cursor" and p.get("in") == "query" for p in params):
        responses.setdefault("404", _problem("Not found, or `cursor_not_found`: no such page."))
    if method == "post":
        responses.setdefault("413", _problem("Request body too large."))
    if method in ("post", "put", "patch", "delete"):
        params.append(dict(IDEMPOTENCY_PARAMETER))
        responses.setdefault(
            "409", _problem("Conflict, or a request with the same Idempotency-Key is in flight.")
        )
        responses.setdefault("422", _problem("Invalid input, or an Idempotency-Key reused."))
    for status, response in responses.items():
        if status[0] in "45" and status.isdigit():
            response["content"] = {
                PROBLEM_MEDIA_TYPE: {
                    "schema": PROBLEM_REF,
                    "example": _problem_example(int(status)),
                }
            }


_EXAMPLE_CODES = {500: "internal_error", 503: "upstream_unavailable", 504: "upstream_timeout"}


def _problem_example(status: int) -> dict[str, Any]:
    code = HTTP_CODES.get(status) or _EXAMPLE_CODES.get(status, "http_error")
    example: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": "What went wrong, in words meant for the developer.",
        "code": code,
        "instance": "/v1/claims/CLM-2026-000123",
        "correlation_id": "5f1c2d3e4b5a69788796a5b4c3d2e1f0",
    }
    if status == 422:
        example["errors"] = [
            {"loc": ["body", "label_code"], "message": "Field required", "type": "missing"}
        ]
    return example


def write_docs(directory: str | Path, app: FastAPI | None = None) -> list[Path]:
    """Write docs/openapi.json and docs/asyncapi.json (sorted keys, stable across runs)."""
    from services.gateway.app import create_app
    from services.gateway.asyncapi import build_asyncapi
    from services.gateway.settings import GatewaySettings

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    app = app or create_app(GatewaySettings(env="local"))
    written = []
    for name, document in (
        ("openapi.json", app.openapi()),
        ("asyncapi.json", build_asyncapi(app.version)),
    ):
        path = target / name
        path.write_text(json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n")
        written.append(path)
    return written
