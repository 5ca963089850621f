"""Every error leaves the gateway as RFC 9457 `application/problem+json`.

One place maps `DomainError.kind` (and a few transport codes) to HTTP status codes, so services
never know about HTTP. Unexpected exceptions become a bare 500 problem in
`middleware.RequestContextMiddleware`: no stack trace, no exception class name, no internal
message ever reaches a client (OWASP API8).
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse
from starlette.routing import Match

from shared.errors import DomainError, ErrorKind
from shared.logging import current_correlation_id

log = structlog.get_logger()

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_BASE = "https://concierge.example/problems/"

KIND_STATUS: dict[ErrorKind, int] = {
    ErrorKind.INVALID: 422,
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.UNAUTHORIZED: 401,
    ErrorKind.RATE_LIMITED: 429,
    ErrorKind.UNAVAILABLE: 503,
    ErrorKind.GONE: 410,
}
# Transport failures that deserve their own status (a timeout is not "down").
# A malformed header is not a rule broken by a well-formed request: 400, not 422.
CODE_STATUS: dict[str, int] = {
    "upstream_timeout": 504,
    "upstream_unavailable": 503,
    "invalid_last_event_id": 400,
}
# Codes for HTTP errors raised by the framework itself (404 unknown route, 405, 413 ...).
HTTP_CODES: dict[int, str] = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


class FieldError(BaseModel):
    loc: list[str | int] = Field(
        description="Path of the offending field, e.g. `['body', 'label_code']`."
    )
    message: str = Field(description="What is wrong with it.")
    type: str = Field(description="Machine-readable error type, e.g. `missing`, `extra_forbidden`.")


class Problem(BaseModel):
    """RFC 9457 problem details, plus a stable `code` clients switch on."""

    type: str = Field(
        description="URI naming the problem type.", examples=[PROBLEM_BASE + "claim_not_found"]
    )
    title: str = Field(description="Short, human-readable summary of the problem type.")
    status: int = Field(description="HTTP status code.", examples=[404])
    detail: str | None = Field(default=None, description="Explanation specific to this occurrence.")
    code: str = Field(
        description="Stable machine-readable error code.", examples=["claim_not_found"]
    )
    instance: str | None = Field(default=None, description="The request path that failed.")
    correlation_id: str | None = Field(default=None, description="Quote this when asking support.")
    errors: list[FieldError] | None = Field(
        default=None, description="Offending fields (422 only)."
    )
    details: dict[str, Any] | None = Field(
        default=None, description="Extra machine-readable facts."
    )


def problem_response(
    status: int,
    code: str,
    detail: str | None = None,
    *,
    request: Request | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code,
        "title": _title(status),
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path if request is not None else None,
        "correlation_id": current_correlation_id(),
    }
    body.update({k: v for k, v in extra.items() if v is not None})
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_MEDIA_TYPE)


def status_for(error: DomainError) -> int:
    return CODE_STATUS.get(error.code, KIND_STATUS.get(ErrorKind(error.kind), 422))


def _title(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


async def domain_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    status = status_for(exc)
    headers = None
    if status == 429 and "retry_after" in exc.details:
        headers = {"Retry-After": str(exc.details["retry_after"])}
    if status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="concierge"'}
    log.info("http.problem", status=status, code=exc.code, path=request.url.path)
    return problem_response(
        status, exc.code, exc.message, request=request, headers=headers, details=exc.details or None
    )


async def validation_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "loc": list(e.get("loc", ())),
            "message": str(e.get("msg", "")),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors()
    ]
    return problem_response(
        422, "validation_error", "The request has invalid fields.", request=request, errors=errors
    )


async def http_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = HTTP_CODES.get(exc.status_code, "http_error")
    # Framework details (e.g. "Method Not Allowed") are safe; our own code raises DomainError.
    detail = exc.detail if isinstance(exc.detail, str) else None
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return problem_response(exc.status_code, code, detail, request=request, headers=headers)


def _allowed_methods(request: Request) -> list[str]:
    """Starlette's Allow lists the methods of the first matching route only, and GET and POST on
    one path are two routes: ask the router which methods fully match this path."""
    routes = request.app.router.routes
    return [
        method
        for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
        if any(
            route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes
        )
    ]


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, domain_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries documenting problem+json errors of an operation."""
    docs = {
        400: "Malformed request.",
        401: "Missing or invalid credentials.",
        403: "The caller may not do this.",
        404: "Not found (or not yours).",
        409: "Conflict with the current state, or the same Idempotency-Key is in flight.",
        413: "Request body too large.",
        422: "Invalid input; `errors` lists the offending fields.",
        429: "Too many requests; see Retry-After.",
        503: "A dependency is unavailable.",
        504: "A dependency did not answer in time.",
    }
    return {
        s: {
            "model": Problem,
            "description": docs.get(s, _title(s)),
            "content": {PROBLEM_MEDIA_TYPE: {}},
        }
        for s in statuses
    }
