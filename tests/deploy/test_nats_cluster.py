"""The compose NATS node configs really form a durable 3-node JetStream cluster.

deploy/nats/nats-{1,2,3}.conf are started as they are, except for the addresses and the store
(rewritten to free loopback ports and a temp folder): R3 stream, the health endpoint the compose
healthcheck uses, a node SIGKILLed mid-way with no acknowledged publish lost or doubled, and the
partner account working across the cluster.
"""

from __future__ import annotations

import asyncio
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nats
import pytest
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js.api import AckPolicy, ConsumerConfig, StorageType, StreamConfig
from nats.js.errors import ServiceUnavailableError

from tests.deploy.launchers import Node, compose_nats_cluster

PASSWORDS = {
    "NATS_SERVICE_PASSWORD": "svc-cluster-pw",
    "NATS_PARTNER_ACME_PASSWORD": "partner-cluster-pw",
    "NATS_SYS_PASSWORD": "sys-cluster-pw",
}
TOTAL, KILL_AT = 120, 40


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[dict[str, Node]]:
    with compose_nats_cluster(tmp_path, PASSWORDS) as nodes:
        yield nodes


def _healthy(node: Node) -> bool:
    url = f"http://127.0.0.1:{node.monitor}/healthz?js-enabled-only=true"
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _url(nodes: list[Node], user: str, password: str) -> list[str]:
    return [f"nats://{user}:{password}@127.0.0.1:{n.client}" for n in nodes]


async def _add_stream_when_cluster_ready(js, config: StreamConfig) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            await js.add_stream(config)
            return
        except Exception:  # meta leader not elected yet: 503 / timeout
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def _publish(js, i: int) -> None:
    # The same Nats-Msg-Id on retry: JetStream drops the duplicate if the first one landed.
    for _attempt in range(40):
        try:
            await js.publish(f"warranty.claim.opened.{i}", b"{}", headers={"Nats-Msg-Id": f"m{i}"})
            return
        except Exception:
            await asyncio.sleep(0.25)
    raise AssertionError(f"publish {i} never acknowledged")


async def _fetch_after_failover(sub) -> list:
    # If the consumer's leader was the killed node, pulls get "no responders" (503) until the
    # remaining two elect a new one: a partner client retries, and so does this test.
    deadline = time.monotonic() + 20
    while True:
        try:
            return await sub.fetch(batch=10, timeout=2)
        except (ServiceUnavailableError, NatsTimeoutError):
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


async def test_three_node_cluster_survives_losing_a_node(cluster: dict[str, Node]) -> None:
    deadline = time.monotonic() + 20
    while not all(_healthy(n) for n in cluster.values()):
        assert time.monotonic() < deadline, "compose healthcheck endpoint never became healthy"
        await asyncio.sleep(0.25)

    nodes = list(cluster.values())
    service = await nats.connect(
        servers=_url(nodes, "concierge", PASSWORDS["NATS_SERVICE_PASSWORD"]),
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.2,
    )
    js = service.jetstream(timeout=5)
    await _add_stream_when_cluster_ready(
        js,
        StreamConfig(
            name="WARRANTY", subjects=["warranty.>"], storage=StorageType.FILE, num_replicas=3
        ),
    )
    await js.add_consumer(
        "WARRANTY",
        ConsumerConfig(
            durable_name="partner-acme",
            filter_subject="warranty.claim.>",
            ack_policy=AckPolicy.EXPLICIT,
        ),
    )
    for i in range(TOTAL):
        if i == KILL_AT:
            cluster["nats-2"].process.kill()
        await _publish(js, i)

    info = await js.stream_info("WARRANTY")
    assert info.config.num_replicas == 3
    assert info.state.messages == TOTAL, "every acknowledged publish stored exactly once"
    assert cluster["nats-2"].process.wait(timeout=5) is not None

    partner = await nats.connect(
        servers=_url([cluster["nats-3"]], "partner-acme", PASSWORDS["NATS_PARTNER_ACME_PASSWORD"]),
    )
    sub = await partner.jetstream(timeout=5).pull_subscribe_bind("partner-acme", stream="WARRANTY")
    msgs = await _fetch_after_failover(sub)
    assert [m.subject for m in msgs] == [f"warranty.claim.opened.{i}" for i in range(10)]
    await partner.close()
    await service.close()
