"""`concierge token` (local JWTs) as a typer command."""

from __future__ import annotations

import jwt
import pytest
import typer
from typer.testing import CliRunner

from concierge_cli.auth_commands import partner_app, token

app = typer.Typer()
app.command()(token)
app.add_typer(partner_app, name="partner")


def test_token_prints_a_verifiable_jwt(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_JWT_SECRET", "cli-test-secret-0123456789-0123456789")
    result = CliRunner().invoke(
        app, ["token", "--customer", "C-42", "--role", "agent", "--ttl", "120"]
    )
    assert result.exit_code == 0, result.output
    claims = jwt.decode(
        result.output.strip(),
        "cli-test-secret-0123456789-0123456789",
        algorithms=["HS256"],
        audience="concierge-api",
    )
    assert claims["sub"] == "C-42" and claims["role"] == "agent"
    assert claims["exp"] - claims["iat"] == 120


def test_token_refuses_production_and_bad_role(monkeypatch: pytest.MonkeyPatch) -> None:
    assert CliRunner().invoke(app, ["token", "--role", "admin"]).exit_code == 2
    monkeypatch.setenv("GATEWAY_ENV", "production")
    monkeypatch.setenv("GATEWAY_JWT_SECRET", "x" * 40)
    monkeypatch.setenv("GATEWAY_API_KEY_PEPPER", "y" * 40)
    assert CliRunner().invoke(app, ["token"]).exit_code == 2


def test_partner_create_rejects_unknown_action() -> None:
    result = CliRunner().invoke(
        app, ["partner", "create", "acme", "-e", "warranty.claim.*", "-a", "root"]
    )
    assert result.exit_code == 2


@pytest.mark.parametrize("subject", ["", "c" * 201, "two words"])
def test_token_refuses_a_subject_the_gateway_would_refuse(subject: str) -> None:
    result = CliRunner().invoke(app, ["token", "--customer", subject])
    assert result.exit_code == 2
    assert "Refusing to mint" in result.output and "eyJ" not in result.output


def test_token_refuses_a_ttl_over_the_maximum(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GATEWAY_JWT_MAX_TTL_SECONDS", "600")
    assert CliRunner().invoke(app, ["token", "--ttl", "601"]).exit_code == 2
