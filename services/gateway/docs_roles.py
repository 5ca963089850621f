"""Who may call each operation, written into its OpenAPI document from the dependency that
enforces it, so the document cannot drift from the code.

The role dependencies in `auth` carry `CALLER_ROLES`; an operation's roles are what every such
dependency in its tree allows (none: public). A route guarded by a role check of its own (e.g.
webhook management) says who may call it in its docstring instead. An operation with any such
dependency needs credentials: it lists the security schemes (`declare_security`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI, routing
from fastapi.encoders import jsonable_encoder

from services.gateway.auth import CALLER_ROLES, SECURITY_SCHEMES, current_principal

WHO_MAY_CALL = "**Who may call:**"
ROLE_WORDS = {
    "public": "anyone, without credentials.",
    "customer": "customers (their own objects only)",
    "agent": "support agents",
    "partner": "partners (with an API key allowing the operation)",
}
_ALL = frozenset({"customer", "agent", "partner"})


def describe_operations(app: FastAPI, paths: dict[str, Any]) -> None:
    """Give every operation a description that ends by saying who may call it."""
    for path, method, route in _api_routes(app):
        operation = paths.get(path, {}).get(method)
        if operation is None:
            continue
        text = (operation.get("description") or operation.get("summary", "")).strip()
        if WHO_MAY_CALL not in text:
            roles = roles_of(route.dependant)
            if roles is None:
                raise ValueError(f"{method.upper()} {path}: say who may call it in its docstring")
            text = f"{text}\n\n{WHO_MAY_CALL} {who(roles)}"
        operation["description"] = text


def declare_security(app: FastAPI, schema: dict[str, Any]) -> None:
    """List both security schemes on every operation that needs credentials, and define them.

    The same entries FastAPI wrote when `current_principal` solved `HTTPBearer` and
    `APIKeyHeader` on every request, without solving them: authentication is the middleware's.
    """
    paths = schema.get("paths", {})
    declared = False
    for path, method, route in _api_routes(app):
        operation = paths.get(path, {}).get(method)
        if operation is not None and needs_credentials(route.dependant):
            operation["security"] = [{scheme.scheme_name: []} for scheme in SECURITY_SCHEMES]
            declared = True
    if declared:
        schema.setdefault("components", {})["securitySchemes"] = {
            scheme.scheme_name: jsonable_encoder(scheme.model, by_alias=True, exclude_none=True)
            for scheme in SECURITY_SCHEMES
        }


def needs_credentials(dependant: Any) -> bool:
    """Whether a dependency in the tree reads the caller (every one that does is tagged)."""
    return any(getattr(call, CALLER_ROLES, None) is not None for call, _ in _walk(dependant))


def who(roles: frozenset[str]) -> str:
    if not roles:
        return ROLE_WORDS["public"]
    words = [ROLE_WORDS[r] for r in ("customer", "agent", "partner") if r in roles]
    text = (", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]) + "."
    refused = [r for r in ("customer", "partner") if r not in roles]
    if refused:
        text += f" Others ({' and '.join(r + 's' for r in refused)}) get 403 `role_not_allowed`."
    return text


def roles_of(dependant: Any) -> frozenset[str] | None:
    """The roles every tagged dependency allows; empty for public operations; None when an
    untagged dependency checks the principal itself (only its docstring can say)."""
    allowed: frozenset[str] | None = None
    for call, sub in _walk(dependant):
        tagged = getattr(call, CALLER_ROLES, None)
        if tagged is not None:
            allowed = frozenset(tagged) if allowed is None else allowed & frozenset(tagged)
        elif any(c is current_principal for c, _ in _walk(sub)):
            return None
    return allowed if allowed is not None else frozenset()


def _walk(dependant: Any) -> Iterator[tuple[Any, Any]]:
    for sub in dependant.dependencies:
        yield sub.call, sub
        yield from _walk(sub)


def _api_routes(app: FastAPI) -> Iterator[tuple[str, str, Any]]:
    for context in routing.iter_route_contexts(app.routes):
        route = context.route
        if getattr(route, "include_in_schema", False) and hasattr(route, "dependant"):
            for method in sorted(context.methods or ()):
                yield str(context.path_format), method.lower(), route
