"""Every command that talks to NATS says so in one line and exits 1 when NATS is not there
(services keep retrying for ever; a command-line tool must not hang)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shared.runtime.nats_server import free_port

CONCIERGE = str(Path(sys.executable).parent / "concierge")
COMMANDS = [
    ["status"],
    ["dlq", "list"],
    ["dlq", "replay", "1"],
    ["notify", "held"],
    ["notify", "settle", "d1", "sent"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_an_unreachable_nats_is_an_error_not_a_hang(command: list[str]) -> None:
    url = f"nats://127.0.0.1:{free_port()}"  # nothing listens there
    result = subprocess.run([CONCIERGE, *command, "--nats-url", url],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    assert "cannot reach" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
