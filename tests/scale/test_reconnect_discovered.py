"""Regression for a bug the scale-out test found: a service whose NATS node died never came back.

A JetStream cluster gossips its members' client URLs to every client, without credentials.
nats-py adds them to its server pool and, on reconnect, may try one of them with no user or
password: the server answers 'Authorization Violation'. FastStream's error callback re-raises
that error ("unrecoverable"), which ends nats-py's reconnect task: the process stays up but
disconnected for good (/readyz 503, no RPC, no consumer). In the scale test both warranty
replicas were on the killed node, so the whole warranty service went down with one node.

Deterministic here: the service is given ONE server URL, so after that node dies the only way
back is through the gossiped (credential-less) URLs of the two others.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from nats.errors import Error as NatsError

from shared.runtime.service import ServiceRuntime
from shared.runtime.settings import ServiceSettings
from tests.deploy.launchers import Node, compose_nats_cluster
from tests.scale.stack import PASSWORDS, wait_healthy


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[dict[str, Node]]:
    with compose_nats_cluster(tmp_path, PASSWORDS) as nodes:
        # Fully formed (JetStream current with a metadata leader on every node) before a node
        # is killed: two survivors of a group still forming may wait long for a leader.
        for node in nodes.values():
            wait_healthy(f"http://127.0.0.1:{node.monitor}/healthz", 60)
        yield nodes


@pytest.mark.timeout(90)
async def test_service_connection_survives_its_node_through_gossiped_urls(
    cluster: dict[str, Node], tmp_path: Path
) -> None:
    first = cluster["nats-1"]
    password = PASSWORDS["NATS_SERVICE_PASSWORD"]
    settings = ServiceSettings(
        nats_url=f"nats://concierge:{password}@127.0.0.1:{first.client}",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'probe.db'}",
    )
    runtime = ServiceRuntime("probe", settings)
    nc = await runtime.broker.connect()
    try:
        await nc.jetstream(timeout=10).account_info()
        deadline = time.monotonic() + 20
        while len(nc.discovered_servers) < 2:  # the cluster's gossip has reached the client
            assert time.monotonic() < deadline, "no server URLs gossiped by the cluster"
            await asyncio.sleep(0.2)
        first.process.kill()
        first.process.wait(timeout=10)
        deadline = time.monotonic() + 30
        while not (nc.is_connected and nc.connected_url and nc.connected_url.port != first.client):
            assert time.monotonic() < deadline, (
                f"never reconnected to the surviving nodes (last error {nc.last_error!r})"
            )
            await asyncio.sleep(0.2)
        # Authenticated as the service account (JetStream is enabled only there). The two
        # survivors may still be electing a metadata leader if the dead node was it.
        js = nc.jetstream(timeout=5)
        while True:
            try:
                await js.account_info()
                break
            except NatsError as exc:
                assert time.monotonic() < deadline + 30, f"JetStream never answered: {exc!r}"
                print(f"account_info: {exc!r}")
    finally:
        await runtime.broker.stop()
        await runtime.db.engine.dispose()
