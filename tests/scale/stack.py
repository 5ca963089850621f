"""The scaled-out stack on one machine: the compose NATS cluster (3 nodes, R3 streams), two
processes of each service on PostgreSQL, two gateways, and an aiosmtpd sink for the emails.

NATS nodes come from tests/deploy/launchers.py (deploy/nats/nats-{1,2,3}.conf as they are, on
free loopback ports, with the service account and its password); services and gateways are
tests/support/processes.py ServiceProcess instances, each with its own log file. Every process
is a real OS process, so the test can SIGKILL any of them and start it again.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
import urllib.request
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
from aiosmtpd.controller import Controller

from tests.conftest import PG_ADMIN_DSN
from tests.deploy.conftest import free_port, nats_server_binary
from tests.deploy.launchers import Node, compose_nats_cluster
from tests.e2e.conftest import JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET, MailSink
from tests.support.processes import ServiceProcess, gateway_process, service_process

SERVICES = ("warranty", "orders", "notifications")
REPLICAS = 2
GATEWAYS = 2
PASSWORDS = {
    "NATS_SERVICE_PASSWORD": "scale-service-pw",
    "NATS_PARTNER_ACME_PASSWORD": "scale-partner-pw",
    "NATS_SYS_PASSWORD": "scale-sys-pw",
}
START_TIMEOUT_S = 120.0  # eight Python processes starting at once on a shared 2-core machine
START_ATTEMPTS = 1  # every process waits for its dependencies: no restart is needed (issue 20)


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def wait_healthy(url: str, timeout: float) -> float:
    """Poll a NATS monitoring /healthz URL; returns the seconds it took (fails on timeout)."""
    started = time.monotonic()
    while not _healthy(url):
        if time.monotonic() - started > timeout:
            raise AssertionError(f"{url} not healthy within {timeout}s")
        time.sleep(0.2)
    return time.monotonic() - started


@dataclass
class ScaleStack:
    workdir: Path
    nodes: dict[str, Node]
    nats_url: str
    db_urls: dict[str, str]
    mail: MailSink
    services: dict[str, list[ServiceProcess]] = field(default_factory=dict)
    gateways: list[ServiceProcess] = field(default_factory=list)
    restarted_nodes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    start_restarts: list[str] = field(default_factory=list)

    @property
    def api_urls(self) -> list[str]:
        return [f"http://127.0.0.1:{g.health_port}" for g in self.gateways]

    @property
    def processes(self) -> list[ServiceProcess]:
        return [p for procs in self.services.values() for p in procs] + self.gateways

    # NATS nodes ---------------------------------------------------------------------------
    def clients_of(self, name: str) -> list[str]:
        """Names of the client connections a node holds (from its /connz monitoring page)."""
        url = f"http://127.0.0.1:{self.nodes[name].monitor}/connz?limit=1024"
        with urllib.request.urlopen(url, timeout=5) as response:
            return sorted(c.get("name", "?") for c in json.load(response)["connections"])

    def kill_node(self, name: str) -> None:
        process = self.nodes[name].process
        assert process is not None and process.poll() is None, f"{name} is not running"
        process.kill()
        process.wait(timeout=10)

    def restart_node(self, name: str) -> float:
        """Start a killed node again on its config and store; seconds until /healthz is OK
        (JetStream current: the node has caught up with the streams it replicates)."""
        node = self.nodes[name]
        log = (self.workdir / f"{name}.log").open("ab")
        cmd = [nats_server_binary(), "-c", str(self.workdir / f"{name}.conf")]
        node.process = subprocess.Popen(
            cmd,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
            env={**os.environ, **PASSWORDS},
        )
        log.close()
        self.restarted_nodes.append(node.process)
        return wait_healthy(f"http://127.0.0.1:{node.monitor}/healthz", timeout=90)

    # Service processes --------------------------------------------------------------------
    def start_process(self, proc: ServiceProcess, label: str) -> None:
        for attempt in range(1, START_ATTEMPTS + 1):
            try:
                proc.start(timeout=START_TIMEOUT_S)
                return
            except RuntimeError:
                proc.kill()
                if attempt == START_ATTEMPTS:
                    raise
                self.start_restarts.append(label)

    def start_all(self) -> None:
        labelled = [(p, self.label(p)) for p in self.processes]
        with ThreadPoolExecutor(len(labelled)) as pool:
            for future in [pool.submit(self.start_process, p, name) for p, name in labelled]:
                future.result()

    def label(self, proc: ServiceProcess) -> str:
        for name, procs in self.services.items():
            if proc in procs:
                return f"{name}-{procs.index(proc)}"
        return f"gateway-{self.gateways.index(proc)}"

    async def restart_process(self, proc: ServiceProcess) -> float:
        started = time.monotonic()
        await asyncio.to_thread(self.start_process, proc, self.label(proc))
        return time.monotonic() - started

    def stop_all(self) -> None:
        # SIGKILL: draining is measured by tests/deploy/test_compose_stack.py; here it only
        # costs time, and the verdict is already taken from the system's state.
        for proc in self.processes:
            proc.kill()
        for process in self.restarted_nodes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def _service_env(name: str, smtp_port: int, workdir: Path) -> dict[str, str]:
    prefix = f"{name.upper()}_"
    env = {
        f"{prefix}STREAM_REPLICAS": "3",
        "CONCIERGE_DATA_DIR": str(workdir / "var"),
    }
    if name == "orders":
        env.update(
            ORDERS_CARRIER_IN_TRANSIT_AFTER="1",
            ORDERS_CARRIER_DELIVERED_AFTER="2",
            ORDERS_SAGA_SWEEP_INTERVAL="0.5",
            ORDERS_TRACKING_POLL_INTERVAL="0.5",
            ORDERS_PAYMENT_RETRY_DELAY="0.2",
            # Return parcels: handed over 1 s after the label, scanned in 2 s later (refunded at
            # once), as in the chaos suite.
            ORDERS_CARRIER_RETURN_PICKED_UP_AFTER="1",
            ORDERS_CARRIER_RETURN_SCANNED_IN_AFTER="2",
            ORDERS_RETURN_SWEEP_INTERVAL="0.5",
            ORDERS_RETURN_POLL_INTERVAL="0.5",
        )
    if name == "notifications":
        env.update(
            NOTIFICATIONS_SMTP_HOST="127.0.0.1",
            NOTIFICATIONS_SMTP_PORT=str(smtp_port),
            NOTIFICATIONS_DELIVERY_POLL_INTERVAL="0.2",
        )
    return env


def _gateway(nats_url: str, workdir: Path, index: int) -> ServiceProcess:
    env = {
        "GATEWAY_HOST": "127.0.0.1",
        "GATEWAY_NATS_URL": nats_url,
        "GATEWAY_STREAM_REPLICAS": "3",
        "GATEWAY_LOG_FORMAT": "json",
        "GATEWAY_JWT_SECRET": JWT_SECRET,
        "GATEWAY_JWT_ISSUER": JWT_ISSUER,
        "GATEWAY_JWT_AUDIENCE": JWT_AUDIENCE,
        "GATEWAY_RATE_LIMIT_PER_MINUTE": "6000",
        "GATEWAY_RATE_LIMIT_BURST": "600",
        "CONCIERGE_DATA_DIR": str(workdir / "var"),
    }
    return gateway_process(env, workdir / f"gateway-{index}.log")


async def _pg_admin(*statements: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.close()


@contextmanager
def postgres_databases() -> Iterator[dict[str, str]]:
    """One fresh database per service on the CI PostgreSQL (127.0.0.1:5432), dropped after."""
    names = {s: f"cc_scale_{s}_{uuid.uuid4().hex[:8]}" for s in SERVICES}
    asyncio.run(_pg_admin(*(f'CREATE DATABASE "{n}"' for n in names.values())))
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    try:
        yield {s: f"{base}/{n}" for s, n in names.items()}
    finally:
        drops = (f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)' for n in names.values())
        asyncio.run(_pg_admin(*drops))


@contextmanager
def scale_stack(workdir: Path) -> Iterator[ScaleStack]:
    with ExitStack() as resources:
        db_urls = resources.enter_context(postgres_databases())
        mail = MailSink()
        smtp = Controller(mail, hostname="127.0.0.1", port=free_port())
        smtp.start()
        resources.callback(smtp.stop)
        nodes = resources.enter_context(compose_nats_cluster(workdir, PASSWORDS))
        for node in nodes.values():
            wait_healthy(f"http://127.0.0.1:{node.monitor}/healthz?js-enabled-only=true", 30)
        password = PASSWORDS["NATS_SERVICE_PASSWORD"]
        nats_url = ",".join(
            f"nats://concierge:{password}@127.0.0.1:{n.client}" for n in nodes.values()
        )
        stack = ScaleStack(workdir, nodes, nats_url, db_urls, mail)
        for name in SERVICES:
            stack.services[name] = [
                service_process(
                    f"services.{name}",
                    f"{name.upper()}_",
                    nats_url,
                    db_urls[name],
                    workdir / f"{name}-{i}.log",
                    **_service_env(name, smtp.port, workdir),
                )
                for i in range(REPLICAS)
            ]
        stack.gateways = [_gateway(nats_url, workdir, i) for i in range(GATEWAYS)]
        resources.callback(stack.stop_all)
        stack.start_all()
        yield stack
