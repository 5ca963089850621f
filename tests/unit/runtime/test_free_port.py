"""`free_port` never hands the same port out twice in one process."""

from __future__ import annotations

import socket
from types import SimpleNamespace
from typing import Any

import pytest

from shared.runtime import nats_server


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
    monkeypatch.setattr(nats_server, "_handed_out", set())
    assert [nats_server.free_port(), nats_server.free_port()] == [52001, 52002]


def test_real_ports_are_distinct_and_bindable() -> None:
    ports = [nats_server.free_port() for _ in range(50)]
    assert len(set(ports)) == 50
    assert all(nats_server.port_is_free(p) for p in ports[:5])
