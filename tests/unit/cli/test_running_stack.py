"""The command line finds the running stack, and says what is wrong in one line (issue 12 item
13): `status`, `dlq`, `notify` and `partner` read the NATS URL from the lock file `concierge up`
writes in the data folder (an explicit --nats-url / CONCIERGE_NATS_URL still wins); `partner`
reads CONCIERGE_NATS_URL like the others (GATEWAY_NATS_URL still works); `dlq replay` of a dead
letter without a valid original subject is one line on stderr, exit 1, and the letter stays."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from concierge_cli.running_stack import is_event_subject, running_nats_url
from concierge_cli.supervisor import LOCK_NAME
from shared.messaging.dlq import dead_letter, list_dead_letters
from shared.messaging.streams import DLQ, ensure_streams
from shared.runtime.nats_server import NatsServer, free_port

CONCIERGE = str(Path(sys.executable).parent / "concierge")
MARKER_MESSAGES = 7


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("NATS_URL")}
    env.pop("CONCIERGE_DATA_DIR", None)
    return {**env, **extra}


async def concierge(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run, [CONCIERGE, *args], cwd=cwd, env=_env(**env),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def write_lock(data_dir: Path, nats_url: str, pid: int | None = None) -> None:
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = {"pid": pid or os.getpid(), "nats_url": nats_url, "api": "http://127.0.0.1:1"}
    (data_dir / LOCK_NAME).write_text(json.dumps(lock))


@pytest.fixture
async def stack_nats(nats_server: NatsServer, nats_client: Any) -> Any:
    """A NATS with the streams, 7 events on WARRANTY and one dead letter, so the output shows
    which server a command talked to."""
    js = nats_client.jetstream()
    await ensure_streams(js)
    for i in range(MARKER_MESSAGES):
        await js.publish("warranty.claim.opened", b"{}", headers={"Nats-Msg-Id": f"m{i}"})
    await _dead_letter(js, "warranty.claim.opened")
    return js


async def _dead_letter(js: Any, subject: str, seq: int = 1) -> int:
    await dead_letter(js, stream="WARRANTY", stream_seq=seq, consumer="c", subject=subject,
                      payload=b"{}", headers={}, reason="test", deliveries=5)  # fmt: skip
    return int((await js.stream_info(DLQ.name)).state.last_seq)


async def test_status_and_dlq_use_the_running_stack(
    stack_nats: Any, nats_server: NatsServer, tmp_path: Path
) -> None:
    write_lock(tmp_path / "var", nats_server.url)  # the default data folder, from cwd
    status = await concierge("status", "--json", cwd=tmp_path)
    assert status.returncode == 0, status.stderr
    streams = {s["stream"]: s for s in json.loads(status.stdout)["streams"]}
    assert streams["WARRANTY"]["messages"] == MARKER_MESSAGES
    letters = await concierge("dlq", "list", "--json", cwd=tmp_path)
    assert letters.returncode == 0, letters.stderr
    assert [r["reason"] for r in json.loads(letters.stdout)] == ["test"]


async def test_other_data_folder_and_notify_and_partner(
    stack_nats: Any, nats_server: NatsServer, tmp_path: Path
) -> None:
    write_lock(tmp_path / "elsewhere", nats_server.url)
    listed = await concierge("--data-dir", "elsewhere", "partner", "list", cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout) == []
    via_env = await concierge("notify", "held", cwd=tmp_path, CONCIERGE_DATA_DIR="elsewhere")
    # It reached that NATS (no notifications service runs there), not "cannot reach" 4322.
    assert "no service is answering rpc.notifications" in via_env.stderr, via_env.stderr


async def test_an_explicit_url_beats_the_lock(nats_server: NatsServer, tmp_path: Path) -> None:
    write_lock(tmp_path / "var", nats_server.url)
    nowhere = f"nats://127.0.0.1:{free_port()}"
    result = await concierge("status", cwd=tmp_path, CONCIERGE_NATS_URL=nowhere)
    assert result.returncode == 1 and "cannot reach" in result.stderr


@pytest.mark.parametrize("variable", ["CONCIERGE_NATS_URL", "GATEWAY_NATS_URL"])
async def test_partner_reads_concierge_nats_url(
    stack_nats: Any, nats_server: NatsServer, tmp_path: Path, variable: str
) -> None:
    created = await concierge("partner", "create", "acme", "-e", "warranty.claim.*",
                              "-a", "webhooks.manage", cwd=tmp_path,
                              **{variable: nats_server.url})  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert json.loads(created.stdout)["api_key"].startswith("ck_")


@pytest.mark.parametrize("subject", ["", "bogus.thing", "dlq.WARRANTY.c", "warranty.>", "a b"])
async def test_replay_without_a_valid_original_subject_is_one_line(
    stack_nats: Any, nats_server: NatsServer, tmp_path: Path, subject: str
) -> None:
    seq = await _dead_letter(stack_nats, subject, seq=2)
    result = await concierge("dlq", "replay", str(seq), "--nats-url", nats_server.url,
                             cwd=tmp_path)  # fmt: skip
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert seq in [letter.seq for letter in await list_dead_letters(stack_nats)]  # still there


def test_a_dead_stack_or_a_broken_lock_is_ignored(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    write_lock(tmp_path, "nats://127.0.0.1:1", pid=dead.pid)
    assert running_nats_url(tmp_path) is None
    (tmp_path / LOCK_NAME).write_text("{not json")
    assert running_nats_url(tmp_path) is None
    assert running_nats_url(tmp_path / "missing") is None


def test_event_subjects() -> None:
    assert is_event_subject("warranty.claim.approved")
    assert is_event_subject("orders.order.placed")
    for bad in ("", "warranty", "warranty.>", "warranty.*.x", "dlq.X.y", "a..b", "x y.z", "rpc.a"):
        assert not is_event_subject(bad), bad
