"""The console's local conveniences cannot be switched on in production."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.web.settings import WebSettings

PRODUCTION = {
    "env": "production",
    "session_secret": "s" * 40,
    "oidc_issuer": "https://id.example.com",
    "oidc_client_id": "console",
    "public_url": "https://console.example.com",
}


def test_local_defaults_offer_sign_in_as_over_plain_http() -> None:
    settings = WebSettings(_env_file=None)
    assert settings.sign_in_as_enabled and not settings.secure_cookies


def test_production_has_no_sign_in_as_and_secure_cookies() -> None:
    settings = WebSettings(**PRODUCTION)
    assert not settings.sign_in_as_enabled and settings.secure_cookies


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"local_sign_in": True}, "WEB_LOCAL_SIGN_IN"),
        ({"session_secret": "changethis-local-only-console-session-secret"}, "placeholder"),
        ({"session_secret": "short"}, "at least 32"),
        ({"cookie_secure": False}, "WEB_COOKIE_SECURE"),
        ({"oidc_issuer": None}, "WEB_OIDC_ISSUER"),
    ],
)
def test_production_refuses_local_conveniences(override: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        WebSettings(**{**PRODUCTION, **override})


def test_the_environment_cannot_enable_sign_in_as_in_production(monkeypatch) -> None:
    for name, value in PRODUCTION.items():
        monkeypatch.setenv(f"WEB_{name.upper()}", value)
    monkeypatch.setenv("WEB_LOCAL_SIGN_IN", "true")
    with pytest.raises(ValidationError, match="WEB_LOCAL_SIGN_IN"):
        WebSettings()
