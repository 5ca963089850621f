"""Settings of the console (`WEB_` prefix).

Every setting has a safe local default. Outside `WEB_ENV=local` the console refuses to start with
a placeholder session secret, with the "sign in as" page, or with cookies sent over plain HTTP:
those three exist only so `make run` works on a laptop.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SESSION_SECRET = "changethis-local-only-console-session-secret"
# The gateway's local HS256 secret (GATEWAY_JWT_SECRET's default): the console mints local
# tokens with it only when the "sign in as" page is on, i.e. only with WEB_ENV=local.
GATEWAY_PLACEHOLDER_JWT_SECRET = "changethis-local-only-jwt-secret-not-for-production"


class WebSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WEB_", extra="ignore", hide_input_in_errors=True)

    env: Literal["local", "production"] = "local"
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    listen_fd: int | None = Field(
        default=None,
        ge=0,
        description="A listening socket inherited from `concierge up` (shared/runtime/listen.py); "
        "host and port then only name it.",
    )
    log_format: Literal["auto", "console", "json"] = "auto"
    gateway_url: str = Field(default="http://127.0.0.1:8000", description="The public API.")
    gateway_timeout_seconds: float = Field(default=10.0, gt=0, le=60)

    session_secret: str = PLACEHOLDER_SESSION_SECRET
    session_max_age_seconds: int = Field(default=8 * 3600, ge=60)
    # None: Secure cookies everywhere except WEB_ENV=local (http://127.0.0.1).
    cookie_secure: bool | None = None

    # "Sign in as" (local only): None means on with WEB_ENV=local, off otherwise.
    local_sign_in: bool | None = None
    local_jwt_secret: str = GATEWAY_PLACEHOLDER_JWT_SECRET
    local_jwt_key_id: str = "local"
    local_jwt_issuer: str = "concierge-local"
    local_jwt_audience: str = "concierge-api"
    local_token_ttl_seconds: int = Field(default=8 * 3600, ge=60, le=24 * 3600)

    # Production sign-in: OpenID Connect authorization-code flow (with PKCE) at the brand's
    # identity provider; the access token it issues is what the gateway verifies.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_scopes: str = "openid profile"
    oidc_role_claim: str = "role"
    public_url: str = Field(default="", description="The console's own URL (OIDC redirect).")

    default_locale: Literal["en-GB", "en-IE", "en-US"] = "en-GB"

    @model_validator(mode="after")
    def _refuse_local_conveniences_outside_local(self) -> Self:
        if self.env == "local":
            return self
        if self.local_sign_in:
            raise ValueError(
                "WEB_LOCAL_SIGN_IN mints tokens with a shared secret and exists only for "
                "WEB_ENV=local; sign-in in production goes through WEB_OIDC_ISSUER."
            )
        if self.session_secret == PLACEHOLDER_SESSION_SECRET or self.session_secret.startswith(
            "changethis"
        ):
            raise ValueError(
                "WEB_SESSION_SECRET is the local placeholder; set a real secret (32+ characters)."
            )
        if len(self.session_secret) < 32:
            raise ValueError("WEB_SESSION_SECRET must be at least 32 characters in production")
        if self.cookie_secure is False:
            raise ValueError("WEB_COOKIE_SECURE=false is allowed with WEB_ENV=local only")
        if not (self.oidc_issuer and self.oidc_client_id and self.public_url):
            raise ValueError(
                "Production sign-in needs WEB_OIDC_ISSUER, WEB_OIDC_CLIENT_ID and WEB_PUBLIC_URL."
            )
        return self

    @property
    def is_local(self) -> bool:
        return self.env == "local"

    @property
    def sign_in_as_enabled(self) -> bool:
        return self.is_local and self.local_sign_in is not False

    @property
    def secure_cookies(self) -> bool:
        return self.cookie_secure if self.cookie_secure is not None else not self.is_local
