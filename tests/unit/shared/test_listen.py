"""Ports bound by the parent and handed to the child (shared/runtime/listen.py): the child serves
on the socket it inherited, the parent keeps no copy, a restart binds the port itself, and a file
descriptor that is not a listening socket is refused with a clear error."""

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

# A child that accepts one connection on its inherited socket (or, without one, on the port it
# binds itself) and writes its pid and how it got the socket.
CHILD = """
import os, socket
fd = os.environ.get("TEST_LISTEN_FD")
if fd is None:
    sock = socket.create_server(("127.0.0.1", int(os.environ["TEST_PORT"])))
else:
    sock = socket.socket(fileno=int(fd))
print("ready", flush=True)
conn, _ = sock.accept()
conn.sendall(f"{os.getpid()} {'inherited' if fd else 'bound'}".encode())
conn.close()
"""


def _ask(port: int) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        return conn.recv(100)


def _child(handed: HandedPort) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TEST_PORT": str(handed.port)}
    child = handed.popen(
        [sys.executable, "-c", CHILD], env=env, fd_variable="TEST_LISTEN_FD", stdout=subprocess.PIPE
    )
    assert child.stdout is not None and child.stdout.readline() == b"ready\n"
    return child


def _end(child: subprocess.Popen[bytes]) -> int:
    child.communicate(timeout=10)  # and closes its stdout
    return child.returncode


def test_the_child_serves_on_the_port_and_the_parent_keeps_no_copy() -> None:
    handed = HandedPort("127.0.0.1")
    child = _child(handed)
    assert _ask(handed.port) == f"{child.pid} inherited".encode()
    assert _end(child) == 0
    with pytest.raises(ConnectionRefusedError):  # dead child, free port: refused, not queued
        socket.create_connection(("127.0.0.1", handed.port), timeout=2)


def test_a_restarted_child_binds_its_port_itself() -> None:
    """While it is down nobody holds the port: connections are refused, not queued."""
    handed = HandedPort("127.0.0.1")
    first = _child(handed)
    assert _ask(handed.port) == f"{first.pid} inherited".encode()
    _end(first)
    second = _child(handed)
    assert _ask(handed.port) == f"{second.pid} bound".encode()
    _end(second)


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
