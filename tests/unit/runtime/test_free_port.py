"""`free_port` never hands the same port out twice in one process."""

from __future__ import annotations

import socket
from types import SimpleNamespace
from typing import Any

import pytest

from shared.runtime import listen, nats_server


class KernelRepeats:
    """A socket whose bind(0) gets the ports the kernel would give, repeats included."""

    ports = iter([52001, 52001, 52001, 52002])

    def __init__(self, *args: Any) -> None:
        self.port = 0

    def __enter__(self) -> KernelRepeats:
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def bind(self, address: tuple[str, int]) -> None:
        self.port = next(self.ports)

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)


def test_a_port_the_kernel_returns_again_is_not_handed_out_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = SimpleNamespace(socket=KernelRepeats, AF_INET=socket.AF_INET,
                           SOCK_STREAM=socket.SOCK_STREAM)  # fmt: skip
    monkeypatch.setattr(nats_server, "socket", fake)  # this module only, not the process
    monkeypatch.setattr(listen, "_chosen", set())
    assert [nats_server.free_port(), nats_server.free_port()] == [52001, 52002]


def test_real_ports_are_distinct_and_bindable() -> None:
    ports = [nats_server.free_port() for _ in range(50)]
    assert len(set(ports)) == 50
    assert all(nats_server.port_is_free(p) for p in ports[:5])


class _Bound:
    def __init__(self, port: int) -> None:
        self.port, self.closed = port, False

    def getsockname(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def close(self) -> None:
        self.closed = True


def test_a_socket_on_any_port_passes_over_a_port_free_port_gave_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """free_port() gave 52001 to a server that has not bound it yet; the kernel offers it again
    to a bind to port 0, which must take the next one and leave 52001 for its server."""
    offered = iter([_Bound(52001), _Bound(52002)])
    monkeypatch.setattr(listen, "_chosen", {52001})
    monkeypatch.setattr(listen.socket, "create_server", lambda *a, **k: next(offered))
    sock = listen.listening_socket("127.0.0.1", 0)
    assert sock.getsockname()[1] == 52002
    assert not listen.choose(52002)  # recorded: never chosen again here
