"""Killing the notifications service while it sends: no message twice, none lost.

Real processes (`python -m services.notifications`), a real nats-server, SQLite, and a real SMTP
server in the test process. SMTP cannot be asked what it received, so a message whose hand-over
(DATA) was cut off by the kill is *held* for an agent instead of being sent again; the agent
(here: the test, through the service's RPC) looks at the relay's records and settles it.
"""

from __future__ import annotations

import asyncio
import sys
from contextlib import asynccontextmanager
from email.message import EmailMessage
from pathlib import Path

import nats

from shared.actor import Actor
from shared.contracts import notifications as c
from shared.contracts import warranty as w
from shared.rpc import RpcClient
from tests.support.notifications.integration import claim_data, publish, start_smtp
from tests.support.processes import service_process
from tests.support.waiting import eventually

CUSTOMER = Actor(type="customer", id="cust-crash")
AGENT = Actor(type="agent", id="agent-crash")
LEASE_SECONDS = 2.0


def _process(nats_server, sqlite_url, tmp_path, smtp_port: int, **extra: str):
    return service_process(
        "services.notifications",
        "NOTIFICATIONS_",
        nats_server.url,
        sqlite_url,
        tmp_path / "notifications.log",
        NOTIFICATIONS_SMTP_HOST="127.0.0.1",
        NOTIFICATIONS_SMTP_PORT=str(smtp_port),
        NOTIFICATIONS_SMTP_TIMEOUT_SECONDS="1",
        NOTIFICATIONS_DELIVERY_POLL_INTERVAL="0.05",
        NOTIFICATIONS_DELIVERY_LEASE_SECONDS=str(LEASE_SECONDS),
        **extra,
    )


async def _setup(nats_url: str) -> tuple[object, RpcClient, object]:
    nc = await nats.connect(nats_url)
    rpc = RpcClient(nc)
    await rpc.call(
        c.Subjects.PUT_CONTACT,
        {"name": "Ada", "email": "ada@example.com", "locale": "en-US"},
        actor=CUSTOMER,
    )
    return nc, rpc, nc.jetstream()


def _submitted(claim_id: str) -> w.ClaimSubmitted:
    return claim_data(
        w.ClaimSubmitted, claim_id=claim_id, customer_id=CUSTOMER.id, region="US",
        status="submitted", category="handbag", components=["piping"],
        cause="manufacturing_defect",
    )  # fmt: skip


def _mine(messages: list[EmailMessage]) -> list[EmailMessage]:
    return [m for m in messages if m["To"] == "ada@example.com"]


def _message_ids(mailbox) -> list[str]:
    return [m["Message-ID"] for m in _mine(mailbox.messages)]


async def _held(rpc: RpcClient) -> list[c.HeldMessage]:
    reply = await rpc.call(c.Subjects.LIST_HELD_MESSAGES, {}, actor=AGENT)
    return c.HeldMessages.model_validate(reply).messages


async def _settle_like_an_agent(rpc: RpcClient, mailbox) -> dict[str, str]:
    """The runbook: the relay's records (here the SMTP server's mailbox) decide."""
    received = set(_message_ids(mailbox))
    decisions = {}
    for held in await _held(rpc):
        sent = f"<{held.message_id}@notifications.concierge.local>" in received
        decisions[held.message_id] = "sent" if sent else "resend"
        await rpc.call(c.Subjects.RESOLVE_HELD_MESSAGE,
                       {"message_id": held.message_id, "outcome": decisions[held.message_id]},
                       actor=AGENT)  # fmt: skip
    return decisions


async def _settle() -> None:
    await asyncio.sleep(LEASE_SECONDS * 1.5)  # past a lease: a resend would have happened by now


@asynccontextmanager
async def _killed_at(crash_at: str, nats_server, sqlite_url, tmp_path):
    """The service armed to die at `crash_at` gets one claim event, dies there (SIGKILL's 137),
    and is started again unarmed. Yields the mailbox, an RPC client and the mails received
    before the restart."""
    controller, mailbox = start_smtp()
    proc = _process(nats_server, sqlite_url, tmp_path, controller.port,
                    CONCIERGE_CRASH_AT=crash_at).start()  # fmt: skip
    nc, rpc, js = await _setup(nats_server.url)
    try:
        await publish(js, "warranty.claim.submitted", "CLM-K1", _submitted("CLM-K1"))
        assert proc.wait_exit(60) == 137
        received_before = len(_mine(mailbox.messages))
        proc = _process(nats_server, sqlite_url, tmp_path, controller.port).start()
        yield mailbox, rpc, received_before
    finally:
        proc.kill()
        await nc.drain()
        controller.stop()


async def test_killed_before_the_handover_sends_once_after_restart(
    nats_server, sqlite_url, tmp_path
):
    # Connected and announced the mail (MAIL FROM, RCPT TO), then died: nothing was in doubt.
    async with _killed_at("notifications.before_handoff", nats_server, sqlite_url,
                          tmp_path) as (mailbox, rpc, received_before):  # fmt: skip
        assert received_before == 0
        await eventually(lambda: _count(mailbox, 1), timeout=60)
        await _settle()
        assert len(_mine(mailbox.messages)) == 1
        assert await _held(rpc) == []


async def test_killed_after_smtp_accepted_is_held_not_resent(nats_server, sqlite_url, tmp_path):
    # SMTP said 250; the process died before recording it.
    async with _killed_at("notifications.after_send", nats_server, sqlite_url,
                          tmp_path) as (mailbox, rpc, received_before):  # fmt: skip
        assert received_before == 1
        await eventually(lambda: _held_count(rpc, 1), timeout=60)
        await _settle()
        assert len(_mine(mailbox.messages)) == 1  # not sent a second time
        [held] = await _held(rpc)
        assert (held.status, held.channel, held.last_error) == ("uncertain", "email", "interrupted")
        # The operator's view: `concierge notify held`, then `settle ... sent`.
        listing = await _concierge("notify", "held", "--nats-url", nats_server.url)
        assert held.message_id in listing and "1 held" in listing
        settled = await _concierge("notify", "settle", held.message_id, "sent",
                                   "--nats-url", nats_server.url)  # fmt: skip
        assert settled.strip() == f"{held.message_id}: sent"
        await _settle()
        assert len(_mine(mailbox.messages)) == 1 and await _held(rpc) == []


async def test_killed_after_marking_before_data_is_held_then_resent_by_the_agent(
    nats_server, sqlite_url, tmp_path
):
    async with _killed_at("notifications.before_send", nats_server, sqlite_url,
                          tmp_path) as (mailbox, rpc, received_before):  # fmt: skip
        assert received_before == 0
        await eventually(lambda: _held_count(rpc, 1), timeout=60)
        assert _mine(mailbox.messages) == []  # held, not guessed at
        [decision] = (await _settle_like_an_agent(rpc, mailbox)).values()
        assert decision == "resend"
        await eventually(lambda: _count(mailbox, 1), timeout=30)
        await _settle()
        assert len(_mine(mailbox.messages)) == 1


async def test_killed_mid_stream_sends_none_twice_and_loses_none(nats_server, sqlite_url, tmp_path):
    controller, mailbox = start_smtp()
    proc = _process(nats_server, sqlite_url, tmp_path, controller.port).start()
    nc, rpc, js = await _setup(nats_server.url)
    n = 30
    try:
        for i in range(n):
            await publish(js, "warranty.claim.submitted", f"CLM-S{i}", _submitted(f"CLM-S{i}"))
        await eventually(lambda: _count(mailbox, 3), timeout=20)
        proc.kill()  # SIGKILL while messages are still going out
        sent_before = len(_mine(mailbox.messages))
        proc = _process(nats_server, sqlite_url, tmp_path, controller.port).start()
        await eventually(lambda: _accounted_for(rpc, mailbox, n), timeout=60)
        await _settle()
        ids = _message_ids(mailbox)
        assert len(ids) == len(set(ids)), f"sent twice: {len(ids) - len(set(ids))}"
        decisions = await _settle_like_an_agent(rpc, mailbox)
        await eventually(lambda: _count(mailbox, n), timeout=30)
        await _settle()
        ids = _message_ids(mailbox)
        assert len(ids) == len(set(ids)) == n, (sent_before, decisions)
        assert await _held(rpc) == []
    finally:
        proc.kill()
        await nc.drain()
        controller.stop()


async def _concierge(*args: str) -> str:
    proc = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "concierge"), *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 0, err.decode()
    return out.decode()


async def _count(mailbox, n: int) -> bool:
    return len(_mine(mailbox.messages)) >= n


async def _held_count(rpc: RpcClient, n: int) -> bool:
    return len(await _held(rpc)) >= n


async def _accounted_for(rpc: RpcClient, mailbox, n: int) -> bool:
    """Every message either reached the SMTP server or is held for an agent."""
    return len(set(_message_ids(mailbox))) + len(await _held(rpc)) >= n
