"""A consumer that always fails dead-letters its message after 5 deliveries; replay brings it back."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import nats

from shared.messaging.dlq import list_dead_letters
from shared.persistence.db import Database
from shared.rpc import RpcClient
from tests.support.processes import ROOT, service_process
from tests.support.runtime.sample_events import tally_of
from tests.support.waiting import eventually


def concierge(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "concierge_cli.main", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_always_failing_handler_goes_to_dlq_and_replay_brings_it_back(
    nats_server, sqlite_url, tmp_path
):
    log = tmp_path / "svc.log"
    failing = service_process(
        "tests.integration.runtime.sample_service",
        "SAMPLE_",
        nats_server.url,
        sqlite_url,
        log,
        SAMPLE_FAIL_ALWAYS="1",
    ).start()
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    db = Database(sqlite_url)
    try:
        await RpcClient(nc).call(
            "rpc.sample.credit", {"id": "poison-1", "account": "d", "amount": 4}
        )
        letters = await eventually(lambda: list_dead_letters(js), timeout=20)
        assert len(letters) == 1
        letter = letters[0]
        assert letter.consumer == "sample-tally"
        assert letter.deliveries == 5
        assert "sample consumer configured to fail" in letter.reason
        assert letter.original_subject == "orders.sample.credited"
        assert letter.headers["Nats-Msg-Id"] == "poison-1"
        info = await js.consumer_info("ORDERS", "sample-tally")
        assert info.num_ack_pending == 0  # terminated, not stuck
        assert await tally_of(db, "d") is None
    finally:
        assert failing.terminate() == 0

    listed = concierge("dlq", "list", "--json", "--nats-url", nats_server.url)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)[0]["event_id"] == "poison-1"

    fixed = service_process(
        "tests.integration.runtime.sample_service", "SAMPLE_", nats_server.url, sqlite_url, log
    ).start()
    try:
        replay = concierge("dlq", "replay", str(letter.seq), "--nats-url", nats_server.url)
        assert replay.returncode == 0, replay.stderr
        assert await eventually(lambda: tally_of(db, "d")) == 4
        assert await list_dead_letters(js) == []
        missing = concierge("dlq", "replay", "999", "--nats-url", nats_server.url)
        assert missing.returncode == 1
    finally:
        assert fixed.terminate() == 0
        await nc.drain()
        await db.dispose()


async def test_malformed_event_is_dead_lettered_at_once_and_consumer_keeps_going(
    nats_server, sqlite_url, tmp_path
):
    svc = service_process(
        "tests.integration.runtime.sample_service",
        "SAMPLE_",
        nats_server.url,
        sqlite_url,
        tmp_path / "s.log",
    ).start()
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    db = Database(sqlite_url)
    try:
        await js.publish("orders.sample.credited", b"{not json", headers={"Nats-Msg-Id": "junk"})
        letters = await eventually(lambda: list_dead_letters(js))
        assert letters[0].reason.startswith("malformed_event") and letters[0].deliveries == 1
        await RpcClient(nc).call("rpc.sample.credit", {"id": "ok-1", "account": "m", "amount": 2})
        assert await eventually(lambda: tally_of(db, "m")) == 2
        await asyncio.sleep(0.2)
        assert svc.process.poll() is None
    finally:
        assert svc.terminate() == 0
        await nc.drain()
        await db.dispose()
