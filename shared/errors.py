"""Domain errors with stable codes.

Every error a client or another service may see is a subclass of `DomainError`. The `code` is
stable (clients switch on it); `kind` tells the gateway which HTTP status family it belongs to,
so services never need to know about HTTP. Plain Python: domain layers may import this module.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    INVALID = "invalid"  # well-formed request that breaks a rule (422)
    NOT_FOUND = "not_found"  # 404 (also used to hide objects a caller may not see)
    CONFLICT = "conflict"  # state does not allow it (409)
    FORBIDDEN = "forbidden"  # 403, only where existence is not a secret
    UNAUTHORIZED = "unauthorized"  # 401
    RATE_LIMITED = "rate_limited"  # 429
    UNAVAILABLE = "unavailable"  # dependency down or timed out (503/504)
    GONE = "gone"  # expired (410)


class DomainError(Exception):
    """An expected failure with a stable machine-readable code.

    Subclasses set `code` and `kind` as class attributes; instances may override `code` and
    carry `details` (a JSON-serialisable dict, e.g. the candidates of an ambiguous label).
    """

    code: str = "domain_error"
    kind: ErrorKind = ErrorKind.INVALID

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        kind: ErrorKind | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if kind is not None:
            self.kind = kind
        self.details = details or {}

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": str(self.kind),
            "message": self.message,
            "details": self.details,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DomainError:
        return cls(
            str(data.get("message", "")),
            code=str(data.get("code", "domain_error")),
            kind=ErrorKind(data.get("kind", ErrorKind.INVALID)),
            details=dict(data.get("details") or {}),
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"


class NotFound(DomainError):
    code = "not_found"
    kind = ErrorKind.NOT_FOUND


class Forbidden(DomainError):
    """The caller is known but may not do this. Services pass their own stable `code`."""

    code = "forbidden"
    kind = ErrorKind.FORBIDDEN


class Conflict(DomainError):
    code = "conflict"
    kind = ErrorKind.CONFLICT


class InvalidTransition(DomainError):
    """A state machine refused a transition; nothing changed."""

    code = "invalid_transition"
    kind = ErrorKind.CONFLICT
