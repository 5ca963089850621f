"""docker-compose.yml: valid against the Compose Specification, and true to the process contract."""

from __future__ import annotations

import copy
import json
import re
import subprocess
from pathlib import Path

import jsonschema
import pytest

from tests.deploy.conftest import (
    ALL_PROCESSES,
    COMPOSE_FILE,
    DEPLOY,
    ROOT,
    SERVICES,
    nats_server_binary,
)
from tests.support.deploy.compose import (
    SECRET_NAME,
    VAR_REF,
    interpolate,
    required_names,
    secret_names,
)

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "compose_spec.json").read_text())
NATS_NODES = ("nats-1", "nats-2", "nats-3")
PREFIX = {name: f"{name.upper()}_" for name in ALL_PROCESSES}


@pytest.fixture(scope="module")
def secrets_env() -> dict[str, str]:
    """A value for every variable the file requires (secrets and required settings)."""
    return {name: "x" * 40 for name in required_names(COMPOSE_FILE.read_text())}


@pytest.fixture(scope="module")
def resolved(compose: dict, secrets_env: dict[str, str]) -> dict:
    return interpolate(compose, secrets_env)


def _validator() -> jsonschema.Draft201909Validator:
    return jsonschema.Draft201909Validator(SCHEMA)


def test_compose_file_matches_the_compose_specification(compose: dict, resolved: dict) -> None:
    for document in (compose, resolved):
        errors = sorted(_validator().iter_errors(document), key=lambda e: list(e.path))
        assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_the_schema_really_rejects_mistakes(resolved: dict) -> None:
    broken = copy.deepcopy(resolved)
    broken["services"]["warranty"]["deploy"]["replicas"] = "two"
    broken["services"]["orders"]["depends_on"]["postgres"]["condition"] = "service_ready"
    broken["services"]["gateway"]["helthcheck"] = {}
    assert len(list(_validator().iter_errors(broken))) >= 3


def test_every_secret_is_required_and_has_no_default(secrets_env: dict[str, str]) -> None:
    text = COMPOSE_FILE.read_text()
    assert secret_names(text) <= set(secrets_env)
    assert {"NATS_SERVICE_PASSWORD", "POSTGRES_PASSWORD", "GATEWAY_JWT_SECRET"} <= set(secrets_env)
    for match in VAR_REF.finditer(text):
        if SECRET_NAME.search(match.group(1)):
            assert (match.group(2) or "").startswith(":?"), f"{match.group(0)} must be ${{VAR:?}}"


def test_a_missing_secret_stops_compose(compose: dict, secrets_env: dict[str, str]) -> None:
    for name in secrets_env:
        env = {k: v for k, v in secrets_env.items() if k != name}
        with pytest.raises(KeyError, match=name):
            interpolate(compose, env)


def test_services_run_two_replicas_with_health_checks(resolved: dict) -> None:
    services = resolved["services"]
    for name in SERVICES:
        svc = services[name]
        assert svc["command"] == ["python", "-m", f"services.{name}"]
        assert svc["deploy"]["replicas"] == 2
        assert "container_name" not in svc, "replicas need generated container names"
        assert "ports" not in svc, "replicas cannot share a published port"
        check = " ".join(svc["healthcheck"]["test"])
        assert "127.0.0.1:8081/readyz" in check
    gateway = services["gateway"]
    assert gateway["command"] == ["python", "-m", "services.gateway"]
    assert "127.0.0.1:8000/readyz" in " ".join(gateway["healthcheck"]["test"])


def test_environment_follows_the_configuration_contract(resolved: dict) -> None:
    services = resolved["services"]
    for name in ALL_PROCESSES:
        env = services[name]["environment"]
        prefix = PREFIX[name]
        assert all(key.startswith(prefix) for key in env), f"{name}: foreign env var"
        assert env[f"{prefix}ENV"] == "production"
        assert env[f"{prefix}LOG_FORMAT"] == "json"
        assert env[f"{prefix}STREAM_REPLICAS"] == "3"
        urls = env[f"{prefix}NATS_URL"].split(",")
        hosts = [re.sub(r"^nats://([^@]*@)?", "", url) for url in urls]
        assert hosts == [f"{node}:4222" for node in NATS_NODES]
        if name in SERVICES:
            assert env[f"{prefix}HEALTH_PORT"] == "8081"
            db_url = env[f"{prefix}DATABASE_URL"]
            assert db_url.startswith(f"postgresql+asyncpg://{name}:")
            assert db_url.endswith(f"@postgres:5432/{name}"), "one database per service"
    assert services["gateway"]["environment"]["GATEWAY_HOST"] == "0.0.0.0"
    notifications = services["notifications"]["environment"]
    assert notifications["NOTIFICATIONS_SMTP_HOST"] == "mailpit"
    assert notifications["NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE_TARGETS"] == "false"


def test_startup_order_waits_for_health(resolved: dict) -> None:
    services = resolved["services"]
    for name, svc in services.items():
        for dep, spec in svc.get("depends_on", {}).items():
            one_shot = services[dep].get("restart") == "no"
            expected = "service_completed_successfully" if one_shot else "service_healthy"
            assert spec["condition"] == expected, f"{name} -> {dep}"
            if not one_shot:
                assert "healthcheck" in services[dep], f"{dep} needs a healthcheck"
    for name in SERVICES:
        deps = services[name]["depends_on"]
        assert {"postgres", *NATS_NODES, f"{name}-migrate"} <= set(deps)
    assert "mailpit" in services["notifications"]["depends_on"]
    assert set(SERVICES) <= set(services["gateway"]["depends_on"])


def test_nats_nodes_form_a_durable_jetstream_cluster(resolved: dict) -> None:
    services = resolved["services"]
    for node in NATS_NODES:
        svc = services[node]
        check = " ".join(svc["healthcheck"]["test"])
        assert "8222/healthz?js-enabled-only=true" in check
        config_arg = svc["command"][svc["command"].index("--config") + 1]
        assert config_arg == f"/etc/nats/{node}.conf"
        assert "./deploy/nats:/etc/nats:ro" in svc["volumes"]
        text = (DEPLOY / "nats" / f"{node}.conf").read_text()
        assert re.search(r"^\s*sync_interval:\s*always\s*$", text, re.M), node
        assert re.search(rf"^server_name:\s*{node}\s*$", text, re.M)
        assert re.search(r"store_dir:\s*/data/jetstream", text)
        assert any(v.endswith(":/data") for v in svc["volumes"]), "JetStream data on a volume"
        others = [n for n in NATS_NODES if n != node]
        assert sorted(re.findall(r"nats-route://(nats-\d):6222", text)) == others


def test_nats_node_configs_parse_with_the_real_server(resolved: dict, tmp_path: Path) -> None:
    env_names = resolved["services"]["nats-1"]["environment"]
    env = {name: "test-password" for name in env_names}
    for node in NATS_NODES:
        result = subprocess.run(
            [nats_server_binary(), "-t", "-c", str(DEPLOY / "nats" / f"{node}.conf")],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=30,
        )
        assert result.returncode == 0, result.stderr + result.stdout


def test_postgres_creates_a_database_per_service(resolved: dict) -> None:
    pg = resolved["services"]["postgres"]
    assert pg["image"].startswith("postgres:16")
    init_mount = next(v for v in pg["volumes"] if "docker-entrypoint-initdb.d" in v)
    script = ROOT / init_mount.split(":")[0]
    text = script.read_text()
    for name in SERVICES:
        assert f"create_service_database {name} " in text
        assert f"{name.upper()}_DB_PASSWORD" in pg["environment"]


def test_migrations_run_once_before_the_replicas(resolved: dict) -> None:
    services = resolved["services"]
    for name in SERVICES:
        job = services[f"{name}-migrate"]
        assert job["command"] == ["concierge", "migrate", name]
        assert job["restart"] == "no"
        prefix = PREFIX[name]
        assert (
            job["environment"][f"{prefix}DATABASE_URL"]
            == services[name]["environment"][f"{prefix}DATABASE_URL"]
        )


def test_dockerfile_is_multi_stage_non_root_and_lean() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.M | re.I)
    assert len(stages) >= 2
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim$", text, re.M)
    runtime = text[text.rindex("\nFROM ") :]
    assert "COPY --from=builder /opt/venv /opt/venv" in runtime
    assert "build-essential" not in runtime and "apt-get install" not in runtime
    user = re.findall(r"^USER\s+(\S+)", runtime, re.M)
    assert user and not user[-1].startswith(("root", "0")), "runs as a non-root user"
    ignore = (ROOT / ".dockerignore").read_text().split()
    assert {".git", ".venv", ".env", "tests", "var"} <= set(ignore)


def test_warranty_replicas_share_one_photo_bucket(resolved: dict, secrets_env: dict) -> None:
    """Two warranty replicas share no folder: a photo uploaded through one must be readable
    through the other, so compose keeps photos in an S3-compatible bucket, keys required."""
    env = resolved["services"]["warranty"]["environment"]
    assert env["WARRANTY_BLOB_STORE"] == "s3"
    assert env["WARRANTY_BLOB_BUCKET"] == secrets_env["WARRANTY_BLOB_BUCKET"]
    assert env["WARRANTY_BLOB_ENDPOINT_URL"].startswith("https://")
    assert {"WARRANTY_BLOB_ACCESS_KEY_ID", "WARRANTY_BLOB_SECRET_ACCESS_KEY"} <= set(secrets_env)
