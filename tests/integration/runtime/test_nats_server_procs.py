"""The embedded nats-server's GOMAXPROCS: 1 under `concierge up` (it shares the cores with the
services), Go's own default when asked for 0, and never a change to the caller's environment."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from concierge_cli import main as cli
from concierge_cli.supervisor import StackConfig
from shared.runtime.nats_server import NatsServer, free_port


def _environ(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(item.decode().split("=", 1) for item in raw if b"=" in item)


@pytest.mark.parametrize(("procs", "expected"), [(1, "1"), (None, None)])
def test_the_server_runs_with_the_gomaxprocs_it_was_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, procs: int | None, expected: str | None
) -> None:
    monkeypatch.delenv("GOMAXPROCS", raising=False)
    server = NatsServer(tmp_path / "nats", free_port(), free_port(), go_max_procs=procs)
    server.start()
    try:
        assert server.process is not None
        assert _environ(server.process.pid).get("GOMAXPROCS") == expected
    finally:
        server.stop()
    assert "GOMAXPROCS" not in os.environ


def _config_of_up(monkeypatch: pytest.MonkeyPatch, args: list[str]) -> StackConfig:
    seen: list[StackConfig] = []

    class Stopped(Exception):
        pass

    class FakeStack:
        def __init__(self, config: StackConfig, **_: Any) -> None:
            seen.append(config)
            raise Stopped

    monkeypatch.setattr(cli, "Stack", FakeStack)
    result = CliRunner().invoke(cli.app, ["up", *args])
    assert isinstance(result.exception, Stopped), result.output
    return seen[0]


def test_up_gives_the_embedded_server_one_processor_unless_told(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CONCIERGE_NATS_GOMAXPROCS", raising=False)
    assert _config_of_up(monkeypatch, []).nats_go_max_procs == 1
    assert _config_of_up(monkeypatch, ["--nats-gomaxprocs", "0"]).nats_go_max_procs is None
    monkeypatch.setenv("CONCIERGE_NATS_GOMAXPROCS", "2")
    assert _config_of_up(monkeypatch, []).nats_go_max_procs == 2


def test_up_refuses_a_negative_gomaxprocs(monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(cli.app, ["up", "--nats-gomaxprocs", "-1"])
    assert result.exit_code == 2
