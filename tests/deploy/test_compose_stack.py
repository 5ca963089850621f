"""docker-compose.yml's processes, run for real without Docker.

The commands and environment come from docker-compose.yml itself (secrets filled in); only the
host names are rewritten to loopback back-ends: the compose NATS node configs as a 3-node cluster
(with the accounts and credentials), a throwaway PostgreSQL initialised by
deploy/postgres/init-databases.sh. The one-shot migrations run, then every replica of every
service and the gateway must report ready, and every process must stop cleanly on SIGTERM within
its stop_grace_period.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from tests.deploy.conftest import COMPOSE_FILE, DEPLOY, SERVICES, free_port
from tests.deploy.launchers import NATS_NODES, compose_nats_cluster, postgres_cluster
from tests.support.deploy.compose import interpolate, required_names
from tests.support.warranty.s3 import create_bucket, moto_s3

READY_TIMEOUT_S = 90
MAX_RESTARTS = 3


@dataclass
class Proc:
    name: str
    process: subprocess.Popen
    ready_url: str
    log: Path
    argv: list[str]
    env: dict[str, str]
    restarts: int = 0


def _grace_seconds(value: str) -> int:
    match = re.fullmatch(r"(\d+)s", value)
    assert match, f"unexpected stop_grace_period {value!r}"
    return int(match.group(1))


def _executable(command: list[str]) -> list[str]:
    bindir = Path(sys.executable).parent
    head = {"python": sys.executable, "concierge": str(bindir / "concierge")}[command[0]]
    return [head, *command[1:]]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def _wait_ready(proc: Proc, workdir: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while _get(proc.ready_url) != 200:
        if time.monotonic() > deadline:
            pytest.fail(f"{proc.name} not ready:\n{proc.log.read_text()[-3000:]}")
        if proc.process.poll() is not None:
            # restart: unless-stopped, as compose would (a fresh JetStream cluster can refuse
            # or lose the first stream declarations for about a second).
            assert proc.restarts < MAX_RESTARTS, f"{proc.name}:\n{proc.log.read_text()[-3000:]}"
            proc.restarts += 1
            with proc.log.open("ab") as out:
                proc.process = subprocess.Popen(
                    proc.argv, env=proc.env, cwd=workdir, stdout=out, stderr=subprocess.STDOUT
                )
        time.sleep(0.3)


def _wait_healthy(url: str) -> None:
    deadline = time.monotonic() + 30
    while _get(url) != 200:
        assert time.monotonic() < deadline, f"{url} never healthy"
        time.sleep(0.2)


class Stack:
    def __init__(self, services: dict, workdir: Path, hosts: dict[str, str]) -> None:
        self.services, self.workdir, self.hosts = services, workdir, hosts
        self.procs: list[Proc] = []

    def env(self, name: str) -> dict[str, str]:
        env = {}
        for key, value in self.services[name]["environment"].items():
            for compose_host, local in self.hosts.items():
                value = str(value).replace(compose_host, local)
            env[key] = value
        return {**os.environ, "CONCIERGE_DATA_DIR": str(self.workdir / "var"), **env}

    def run_once(self, name: str) -> None:
        result = subprocess.run(
            _executable(self.services[name]["command"]),
            env=self.env(name),
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"{name}: {result.stderr[-3000:]}"

    def start(self, name: str, replica: int, overrides: dict[str, str], ready_url: str) -> None:
        log = self.workdir / f"{name}-{replica}.log"
        argv, env = _executable(self.services[name]["command"]), {**self.env(name), **overrides}
        with log.open("wb") as out:
            process = subprocess.Popen(
                argv, env=env, cwd=self.workdir, stdout=out, stderr=subprocess.STDOUT
            )
        self.procs.append(Proc(f"{name}-{replica}", process, ready_url, log, argv, env))

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.process.poll() is None:
                proc.process.kill()
                proc.process.wait(timeout=10)


@pytest.fixture
def stack(tmp_path: Path, compose: dict) -> Iterator[Stack]:
    secrets = {
        # Fernet keys have a format (32 bytes, url-safe base64); passwords are free text.
        name: Fernet.generate_key().decode()
        if name.endswith("_SECRET_KEYS")
        else f"{name.lower()}-0123456789abcdef" * 2
        for name in required_names(COMPOSE_FILE.read_text())
    }
    with ExitStack() as resources:
        # The photo bucket: an S3-compatible server on loopback (moto's), as the .env names one.
        s3_endpoint = resources.enter_context(moto_s3())
        create_bucket(s3_endpoint, "concierge-label-photos")
        secrets.update(WARRANTY_BLOB_BUCKET="concierge-label-photos",
                       WARRANTY_BLOB_ENDPOINT_URL=s3_endpoint, WARRANTY_BLOB_REGION="us-east-1")  # fmt: skip
        services = interpolate(compose, secrets)["services"]
        pg_port = resources.enter_context(postgres_cluster(secrets["POSTGRES_PASSWORD"]))
        init_env = {**os.environ, **services["postgres"]["environment"]}
        init_env.update(PGHOST="127.0.0.1", PGPORT=str(pg_port))
        init_env["PGPASSWORD"] = secrets["POSTGRES_PASSWORD"]
        subprocess.run(
            ["sh", str(DEPLOY / "postgres" / "init-databases.sh")],
            env=init_env,
            check=True,
            capture_output=True,
            timeout=60,
        )
        nodes = resources.enter_context(
            compose_nats_cluster(tmp_path, services["nats-1"]["environment"])
        )
        # depends_on: condition: service_healthy, with the compose healthcheck's endpoint.
        for node in nodes.values():
            _wait_healthy(f"http://127.0.0.1:{node.monitor}/healthz?js-enabled-only=true")
        hosts = {f"@{n}:4222": f"@127.0.0.1:{nodes[n].client}" for n in NATS_NODES}
        hosts["@postgres:5432"] = f"@127.0.0.1:{pg_port}"
        built = Stack(services, tmp_path, hosts)
        try:
            yield built
        finally:
            built.stop_all()


@pytest.mark.timeout(400)
def test_compose_processes_become_ready_and_drain_on_sigterm(stack: Stack) -> None:
    services = stack.services
    started = time.monotonic()
    for name in SERVICES:
        stack.run_once(f"{name}-migrate")
    print(f"migrations: {time.monotonic() - started:.1f}s")
    smtp_port = str(free_port())  # nothing listens: readiness must not depend on the SMTP relay
    for name in SERVICES:
        prefix = f"{name.upper()}_"
        for replica in range(services[name]["deploy"]["replicas"]):
            port = free_port()
            overrides = {f"{prefix}HEALTH_PORT": str(port)}
            if name == "notifications":
                overrides.update(
                    NOTIFICATIONS_SMTP_HOST="127.0.0.1", NOTIFICATIONS_SMTP_PORT=smtp_port
                )
            stack.start(name, replica, overrides, f"http://127.0.0.1:{port}/readyz")
    gateway_port = free_port()
    gateway_env = {"GATEWAY_HOST": "127.0.0.1", "GATEWAY_PORT": str(gateway_port)}
    stack.start("gateway", 0, gateway_env, f"http://127.0.0.1:{gateway_port}/readyz")
    for proc in stack.procs:
        _wait_ready(proc, stack.workdir)
    assert len(stack.procs) == 2 * len(SERVICES) + 1
    print(f"all {len(stack.procs)} processes ready: {time.monotonic() - started:.1f}s")
    if restarted := {p.name: p.restarts for p in stack.procs if p.restarts}:
        warnings.warn(f"processes crashed at start and were restarted: {restarted}", stacklevel=1)

    sent = time.monotonic()
    for proc in stack.procs:
        proc.process.send_signal(signal.SIGTERM)
    for proc in stack.procs:
        service = proc.name.rsplit("-", 1)[0]
        grace = _grace_seconds(services[service]["stop_grace_period"])
        try:
            code = proc.process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pytest.fail(
                f"{proc.name} ignored SIGTERM for {grace}s:\n{proc.log.read_text()[-2000:]}"
            )
        print(f"{proc.name}: exited {code} {time.monotonic() - sent:.1f}s after SIGTERM")
        # uvicorn re-raises SIGTERM after its graceful shutdown: dying by that signal within the
        # grace period is a clean stop too (exit status 143 for Docker and Kubernetes).
        assert code in (0, -signal.SIGTERM), (
            f"{proc.name} exited {code}:\n{proc.log.read_text()[-2000:]}"
        )
