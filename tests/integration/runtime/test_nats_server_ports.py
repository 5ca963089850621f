"""Ports given as 0 are chosen by the embedded nats-server when it binds: read back once it has
started, different for two servers started together, and kept for a restart."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nats

from shared.runtime.nats_server import NatsServer, port_is_free


async def _round_trip(url: str) -> bytes:
    nc = await nats.connect(url)
    try:
        sub = await nc.subscribe("ports.check")
        await nc.publish("ports.check", b"ok")
        return (await sub.next_msg(timeout=5)).data
    finally:
        await nc.close()


def test_servers_given_port_0_bind_ports_of_their_own_and_say_which(tmp_path: Path) -> None:
    servers = [NatsServer(tmp_path / f"nats{i}", port=0, monitor_port=0) for i in range(2)]
    try:
        for server in servers:
            server.start()
        ports = {p for s in servers for p in (s.port, s.monitor_port)}
        assert len(ports) == 4 and 0 not in ports and 4222 not in ports
        for server in servers:
            assert not port_is_free(server.port) and not port_is_free(server.monitor_port)
            assert asyncio.run(_round_trip(server.url)) == b"ok"
    finally:
        for server in servers:
            server.stop()


def test_a_restarted_server_binds_the_ports_it_chose_the_first_time(tmp_path: Path) -> None:
    server = NatsServer(tmp_path / "nats", port=0, monitor_port=0)
    server.start()
    try:
        chosen = (server.port, server.monitor_port)
        server.stop()
        server.start()  # a test's outage: clients reconnect to the same address
        assert (server.port, server.monitor_port) == chosen
        assert asyncio.run(_round_trip(server.url)) == b"ok"
    finally:
        server.stop()
