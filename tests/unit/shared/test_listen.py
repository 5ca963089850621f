"""Ports bound by the parent and handed to the child (shared/runtime/listen.py): the child serves
on the socket it inherited, the parent keeps no copy, a restart gets the same port again, and a
file descriptor that is not a listening socket is refused with a clear error."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import urllib.request

import orjson
import pytest

from shared.runtime.health import health_server
from shared.runtime.listen import HandedPort, ListenFdError, inherited_socket
from shared.runtime.settings import ServiceSettings

# A child that accepts one connection on its inherited socket and writes its pid on it.
CHILD = """
import os, socket
sock = socket.socket(fileno=int(os.environ["TEST_LISTEN_FD"]))
conn, _ = sock.accept()
conn.sendall(str(os.getpid()).encode())
conn.close()
"""


def _ask(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        return conn.recv(100)


def _child(handed: HandedPort) -> subprocess.Popen[bytes]:
    return handed.popen(
        [sys.executable, "-c", CHILD], env=dict(os.environ), fd_variable="TEST_LISTEN_FD"
    )


def test_the_child_serves_on_the_port_and_the_parent_keeps_no_copy() -> None:
    handed = HandedPort("127.0.0.1")
    child = _child(handed)
    assert _ask(handed.port) == str(child.pid).encode()
    assert child.wait(10) == 0
    with pytest.raises(ConnectionRefusedError):  # dead child, free port: refused, not queued
        socket.create_connection(("127.0.0.1", handed.port), timeout=2)


def test_a_restarted_child_gets_the_same_port_again() -> None:
    handed = HandedPort("127.0.0.1")
    first = _child(handed)
    assert _ask(handed.port) == str(first.pid).encode()
    first.wait(10)
    second = _child(handed)
    assert _ask(handed.port) == str(second.pid).encode()
    second.wait(10)


def test_a_taken_port_is_refused_when_bound() -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        with pytest.raises(OSError):
            HandedPort("127.0.0.1", taken.getsockname()[1])


def test_a_descriptor_that_is_no_listening_socket_is_refused() -> None:
    read_end, write_end = os.pipe()
    try:
        with pytest.raises(ListenFdError, match=f"LISTEN_FD={read_end} is not an open socket"):
            inherited_socket(read_end)
    finally:
        os.close(read_end)
        os.close(write_end)
    with socket.socket() as unbound:
        with pytest.raises(ListenFdError, match="is not a listening TCP socket"):
            inherited_socket(unbound.fileno())
        assert unbound.fileno() >= 0  # refused, and left open for its owner


def test_the_health_endpoint_serves_on_the_inherited_socket_and_names_its_pid() -> None:
    sock = socket.create_server(("127.0.0.1", 0))
    port = sock.getsockname()[1]

    async def ready() -> dict[str, bool]:
        return {"started": True}

    async def scenario() -> dict[str, object]:
        settings = ServiceSettings(listen_fd=os.dup(sock.fileno()))
        server = health_server(settings, ready, lambda: "")
        assert server is not None
        await server.start()
        try:
            url = f"http://127.0.0.1:{port}/readyz"
            raw = await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=5).read())
            return dict(orjson.loads(raw))
        finally:
            await server.stop()

    try:
        assert asyncio.run(scenario()) == {
            "status": "ready",
            "checks": {"started": True},
            "pid": os.getpid(),
        }
    finally:
        sock.close()


def test_no_port_and_no_socket_means_no_health_endpoint() -> None:
    async def ready() -> dict[str, bool]:
        return {}

    assert health_server(ServiceSettings(), ready, lambda: "") is None
