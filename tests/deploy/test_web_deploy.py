"""The console runs in docker-compose and Kubernetes as `concierge up` runs it (same command),
in production mode (OIDC sign-in, no "sign in as"), probed on its own health endpoints."""

from __future__ import annotations

import pytest
import yaml

from concierge_cli.stack import WEB
from services.web.settings import WebSettings
from tests.deploy.conftest import COMPOSE_FILE, DEPLOY
from tests.deploy.k8s_render import render
from tests.support.deploy.compose import interpolate

COMMAND = ["python", "-m", WEB.module]


def test_compose_runs_the_console_in_production_mode() -> None:
    web = yaml.safe_load(COMPOSE_FILE.read_text())["services"]["web"]
    assert web["command"] == COMMAND
    env = web["environment"]
    assert env["WEB_ENV"] == "production" and env["WEB_GATEWAY_URL"] == "http://gateway:8000"
    assert "WEB_LOCAL_SIGN_IN" not in env
    assert "127.0.0.1:8080/readyz" in " ".join(web["healthcheck"]["test"])
    assert web["depends_on"]["gateway"]["condition"] == "service_healthy"
    # With the operator's values (.env) filled in, they make valid production settings...
    operator = {"WEB_SESSION_SECRET": "x" * 40, "WEB_OIDC_CLIENT_SECRET": "s",
                "WEB_OIDC_ISSUER": "https://id.example", "WEB_OIDC_CLIENT_ID": "console"}  # fmt: skip
    resolved = interpolate(env, operator)
    settings = WebSettings(**{k[4:].lower(): v for k, v in resolved.items()})
    assert not settings.sign_in_as_enabled and settings.secure_cookies
    # ...and without an identity provider the console refuses to start, saying why.
    with pytest.raises(ValueError, match="WEB_OIDC_ISSUER"):
        WebSettings(**{k[4:].lower(): v for k, v in
                       interpolate(env, {**operator, "WEB_OIDC_ISSUER": ""}).items()})  # fmt: skip


def test_kubernetes_runs_the_console_with_probes_and_secrets() -> None:
    for tree in (DEPLOY / "k8s" / "base", DEPLOY / "k8s" / "overlays" / "example"):
        resources = render(tree)
        (deployment,) = [r for r in resources
                         if r["kind"] == "Deployment" and r["metadata"]["name"] == "concierge-web"]  # fmt: skip
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["command"] == COMMAND
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert {p["containerPort"] for p in container["ports"]} == {8080}
        secrets = {e["name"] for e in container["env"] if "valueFrom" in e}
        assert "WEB_SESSION_SECRET" in secrets
        (config,) = [r["data"] for r in resources if r["kind"] == "ConfigMap"]
        web = {k[4:].lower(): v for k, v in config.items() if k.startswith("WEB_")}
        assert web["env"] == "production"
        settings = WebSettings(**web, session_secret="x" * 40)
        assert not settings.sign_in_as_enabled
