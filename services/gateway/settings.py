"""Gateway settings (env prefix `GATEWAY_`).

Every setting has a safe local default. In production the placeholder secrets stop start-up
(the same idea as full-stack-fastapi-template's `_check_default_secret`): a gateway that signs
or checks tokens with a key from the source code is worse than one that does not start.
List settings are JSON in the environment, e.g. `GATEWAY_JWT_ALGORITHMS='["RS256"]'`.
"""

from __future__ import annotations

import os
import socket
from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.runtime.settings import DEFAULT_NATS_URL

PLACEHOLDER_SECRET = "changethis-local-only-jwt-secret-not-for-production"
PLACEHOLDER_PEPPER = "changethis-local-only-api-key-pepper"

ASYMMETRIC_ALGORITHMS = {
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "EdDSA",
}
SYMMETRIC_ALGORITHMS = {"HS256", "HS384", "HS512"}


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="GATEWAY_", extra="ignore", hide_input_in_errors=True
    )

    env: Literal["local", "production"] = "local"
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    listen_fd: int | None = Field(
        default=None,
        ge=0,
        description="A listening socket inherited from `concierge up` (shared/runtime/listen.py); "
        "host and port then only name it.",
    )
    nats_url: str = DEFAULT_NATS_URL  # same default as every service (`concierge up` NATS)
    log_format: Literal["auto", "console", "json"] = "auto"
    stream_replicas: int = Field(default=1, ge=1, le=5)

    # Tokens for customers and agents. HS256 with `jwt_secret` locally; in production a public
    # key (PEM) or a JWKS URL of the identity provider.
    jwt_secret: str = PLACEHOLDER_SECRET
    jwt_public_key: str | None = None
    jwks_url: str | None = None
    jwt_key_id: str = "local"
    jwt_issuer: str = "concierge-local"
    jwt_audience: str = "concierge-api"
    jwt_algorithms: list[str] = Field(default_factory=lambda: ["HS256"])
    jwt_leeway_seconds: int = Field(default=30, ge=0, le=300)
    jwt_max_ttl_seconds: int = Field(default=24 * 3600, ge=60)

    api_key_pepper: str = PLACEHOLDER_PEPPER

    # Limits (OWASP API4: unrestricted resource consumption).
    rate_limit_per_minute: int = Field(default=600, ge=1)
    rate_limit_burst: int = Field(default=60, ge=1)
    # Each replica enforces 1/N of the limits; N is counted through a NATS KV heartbeat.
    replica_heartbeat_seconds: float = Field(default=10.0, gt=0, le=300)
    instance: str = Field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}")
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    max_page_size: int = Field(default=100, ge=1, le=1000)
    default_page_size: int = Field(default=20, ge=1)
    rpc_timeout_seconds: float = Field(default=5.0, gt=0, le=30)  # < idempotency lease
    ready_timeout_seconds: float = Field(default=1.0, gt=0, le=10)
    ready_services: list[str] = Field(
        default_factory=lambda: ["warranty", "orders", "notifications"]
    )
    idempotency_ttl_seconds: int = Field(default=24 * 3600, ge=60)
    sse_heartbeat_seconds: float = Field(default=15.0, gt=0)
    # Live streams (SSE) one caller may hold open at once on one gateway; the next is 429
    # `too_many_streams`. Each holds a connection and a JetStream consumer.
    sse_max_streams_per_caller: int = Field(default=5, ge=1, le=100)
    cors_origins: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_secrets(self) -> Self:
        self._check_algorithms()
        if self.env == "production":
            _check_default_secret("GATEWAY_API_KEY_PEPPER", self.api_key_pepper, PLACEHOLDER_PEPPER)
            uses_hmac = any(a in SYMMETRIC_ALGORITHMS for a in self.jwt_algorithms)
            if uses_hmac:
                _check_default_secret("GATEWAY_JWT_SECRET", self.jwt_secret, PLACEHOLDER_SECRET)
                if len(self.jwt_secret) < 32:
                    raise ValueError(
                        "GATEWAY_JWT_SECRET must be at least 32 characters in production"
                    )
        if self.default_page_size > self.max_page_size:
            raise ValueError("GATEWAY_DEFAULT_PAGE_SIZE must not exceed GATEWAY_MAX_PAGE_SIZE")
        return self

    def _check_algorithms(self) -> None:
        allowed = ASYMMETRIC_ALGORITHMS | SYMMETRIC_ALGORITHMS
        bad = [a for a in self.jwt_algorithms if a not in allowed]
        if bad or not self.jwt_algorithms:
            raise ValueError(f"GATEWAY_JWT_ALGORITHMS has unsupported values: {bad or 'empty'}")
        mixed = (
            set(self.jwt_algorithms) & SYMMETRIC_ALGORITHMS
            and set(self.jwt_algorithms) & ASYMMETRIC_ALGORITHMS
        )
        if mixed:
            # Mixing HMAC and public-key algorithms invites key-confusion attacks.
            raise ValueError("GATEWAY_JWT_ALGORITHMS must not mix HMAC and public-key algorithms")
        if set(self.jwt_algorithms) & ASYMMETRIC_ALGORITHMS and not (
            self.jwt_public_key or self.jwks_url
        ):
            raise ValueError(
                "public-key JWT algorithms need GATEWAY_JWT_PUBLIC_KEY or GATEWAY_JWKS_URL"
            )

    @property
    def is_local(self) -> bool:
        return self.env == "local"


def _check_default_secret(name: str, value: str, placeholder: str) -> None:
    if value == placeholder or value.startswith("changethis"):
        raise ValueError(
            f'The value of {name} is the local placeholder "{placeholder}"; '
            f"set a real secret in the environment before running with GATEWAY_ENV=production."
        )
