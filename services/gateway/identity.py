"""The identity a bearer token may claim: one model, checked when a token is verified and when
`mint_token` signs one.

A token can be correctly signed and still name nobody: an empty `sub`, a 10,000-character `sub`,
a role the gateway does not know, or a lifetime longer than the deployment allows. Every route
and every service downstream relies on the principal being sane (ids are stored in 200-character
columns and echoed in logs), so the check lives here, once, before a `Principal` exists.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

SUBJECT_MAX_LENGTH = 200  # the width of every customer/actor id column in the services
SCOPE_MAX_LENGTH = 1000
# Printable ASCII without spaces: ids appear in logs, headers and NATS headers verbatim.
SUBJECT_PATTERN = r"^[!-~]+$"


class InvalidIdentity(ValueError):
    """The claims do not name a caller the gateway can serve."""


class IdentityClaims(BaseModel):
    """The claims that make a principal (other registered claims are checked by PyJWT)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    sub: str = Field(min_length=1, max_length=SUBJECT_MAX_LENGTH, pattern=SUBJECT_PATTERN)
    role: Literal["customer", "agent"]
    scope: str = Field(default="", max_length=SCOPE_MAX_LENGTH)
    iat: int | float
    exp: int | float

    @model_validator(mode="after")
    def _exp_after_iat(self) -> IdentityClaims:
        if self.exp <= self.iat:
            raise ValueError("exp must be after iat")
        return self

    @property
    def lifetime_seconds(self) -> float:
        return float(self.exp) - float(self.iat)


def identity_from_claims(claims: dict[str, Any], max_ttl_seconds: int) -> IdentityClaims:
    """The validated identity, or InvalidIdentity saying which claim is wrong (never its value)."""
    try:
        identity = IdentityClaims.model_validate(claims)
    except ValidationError as exc:
        fields = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]}) or ["exp"]
        raise InvalidIdentity(f"invalid claims: {', '.join(fields)}") from None
    if identity.lifetime_seconds > max_ttl_seconds:
        raise InvalidIdentity(f"token lifetime over the maximum of {max_ttl_seconds} s")
    return identity
