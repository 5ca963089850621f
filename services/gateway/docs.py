"""Published API documents: OpenAPI 3.1 (from the app) and AsyncAPI 3.0 (from the contracts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from services.gateway.errors import PROBLEM_MEDIA_TYPE

IDEMPOTENCY_PARAMETER = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "Optional but recommended on every POST. The first response to a key is stored for 24 h "
        "and replayed (with `Idempotent-Replayed: true`) to a retry with the same key and body; "
        "the same key with another body is 422 `idempotency_key_reused`; a retry while the first "
        "is still running is 409 `idempotency_request_in_progress`. Keys are per caller."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
    "example": "4f6a1c9e-7d2b-4a53-9f1e-2b8c0d3e5a71",
}
REQUEST_ID_PARAMETER = {
    "name": "X-Request-ID",
    "in": "header",
    "required": False,
    "description": "Correlation id echoed in the response and in every log line; generated if absent.",
    "schema": {"type": "string", "maxLength": 64, "pattern": "^[A-Za-z0-9._:-]+$"},
}


def custom_openapi(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document plus what middleware adds: the Idempotency-Key header on every POST,
    and problem+json 413/429 answers that any operation may give."""
    if app.openapi_schema:
        return app.openapi_schema
    schema = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    problem_ref = {"$ref": "#/components/schemas/Problem"}
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            params = operation.setdefault("parameters", [])
            params.append(dict(REQUEST_ID_PARAMETER))
            responses = operation.setdefault("responses", {})
            if "Problem" in schema.get("components", {}).get("schemas", {}):
                responses.setdefault(
                    "429",
                    {
                        "description": "Too many requests; see Retry-After.",
                        "content": {PROBLEM_MEDIA_TYPE: {"schema": problem_ref}},
                    },
                )
            if method == "post":
                params.append(dict(IDEMPOTENCY_PARAMETER))
                responses.setdefault(
                    "413",
                    {
                        "description": "Request body too large.",
                        "content": {PROBLEM_MEDIA_TYPE: {"schema": problem_ref}},
                    },
                )
    app.openapi_schema = schema
    return schema


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
