"""Killing the notifications service right after it committed a keyed command, before it
answered: the retry with the same request key gets the first attempt's answer, the effect
happens once.

Real processes (`python -m services.notifications`), a real nats-server, SQLite and a real SMTP
server. The service dies at `rpc.after_commit:<subject>` (the effect and the request key are
committed, the reply is not stored yet), is started again unarmed, and the same request is
sent again with the same key, twice: both retries get the same bytes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import nats
import pytest

from shared.actor import Actor
from shared.contracts import notifications as c
from shared.contracts import warranty as w
from shared.rpc import RpcClient, reset_request_key, set_request_key
from tests.support.notifications.integration import claim_data, publish, start_smtp
from tests.support.processes import service_process
from tests.support.waiting import eventually

CUSTOMER = Actor(type="customer", id="cust-keyed")
AGENT = Actor(type="agent", id="agent-keyed")
EMAIL = "grace@example.com"
LEASE_SECONDS = 2.0


def _process(nats_server: Any, sqlite_url: str, tmp_path: Any, smtp_port: int, crash_at: str = ""):
    extra = {"CONCIERGE_CRASH_AT": crash_at} if crash_at else {}
    return service_process(
        "services.notifications", "NOTIFICATIONS_", nats_server.url, sqlite_url,
        tmp_path / "notifications.log", NOTIFICATIONS_SMTP_HOST="127.0.0.1",
        NOTIFICATIONS_SMTP_PORT=str(smtp_port), NOTIFICATIONS_SMTP_TIMEOUT_SECONDS="1",
        NOTIFICATIONS_DELIVERY_POLL_INTERVAL="0.05",
        NOTIFICATIONS_DELIVERY_LEASE_SECONDS=str(LEASE_SECONDS), **extra,
    )  # fmt: skip


async def keyed(rpc: RpcClient, key: str, subject: str, body: dict[str, Any], actor: Actor) -> Any:
    """One RPC carrying `key` as its request key (as the gateway passes an Idempotency-Key)."""
    token = set_request_key(key)
    try:
        return await rpc.call(subject, body, actor=actor, timeout=10)
    finally:
        reset_request_key(token)


@asynccontextmanager
async def stack(nats_server: Any, sqlite_url: str, tmp_path: Any) -> AsyncIterator[Any]:
    controller, mailbox = start_smtp()
    nc = await nats.connect(nats_server.url)
    procs: list[Any] = []

    def start(crash_at: str = "") -> Any:
        proc = _process(nats_server, sqlite_url, tmp_path, controller.port, crash_at).start()
        procs.append(proc)
        return proc

    try:
        yield start, RpcClient(nc), nc.jetstream(), mailbox
    finally:
        for proc in procs:
            proc.kill()
        await nc.drain()
        controller.stop()


def _submitted(claim_id: str) -> Any:
    return claim_data(
        w.ClaimSubmitted, claim_id=claim_id, customer_id=CUSTOMER.id, region="US",
        status="submitted", category="handbag", components=["piping"],
        cause="manufacturing_defect",
    )  # fmt: skip


async def _held(rpc: RpcClient) -> list[c.HeldMessage]:
    reply = await rpc.call(c.Subjects.LIST_HELD_MESSAGES, {}, actor=AGENT)
    return c.HeldMessages.model_validate(reply).messages


def _mails(mailbox: Any) -> list[Any]:
    return [m for m in mailbox.messages if m["To"] == EMAIL]


@pytest.mark.parametrize(
    ("held_at", "outcome", "mails_after"),
    [("notifications.before_send", "resend", 1), ("notifications.after_send", "sent", 1)],
)
async def test_settling_a_held_message_killed_after_commit(
    nats_server, sqlite_url, tmp_path, held_at, outcome, mails_after
):
    """A held message settled (send again / record as sent) by an agent whose reply was lost to
    a crash: the retry gets the settled message, the mail goes out (or not) exactly once."""
    async with stack(nats_server, sqlite_url, tmp_path) as (start, rpc, js, mailbox):
        proc = start(held_at)
        await rpc.call(c.Subjects.PUT_CONTACT, {"name": "Grace", "email": EMAIL, "locale": "en-US"},
                       actor=CUSTOMER)  # fmt: skip
        await publish(js, "warranty.claim.submitted", "CLM-H1", _submitted("CLM-H1"))
        assert proc.wait_exit(60) == 137  # died handing the mail over: its outcome is unknown
        proc = start(f"rpc.after_commit:{c.Subjects.RESOLVE_HELD_MESSAGE}")
        [held] = await eventually(lambda: _held(rpc), timeout=60)
        body = {"message_id": held.message_id, "outcome": outcome}
        with pytest.raises(Exception):  # noqa: B017  the service dies before it answers
            await keyed(rpc, "agent-keyed:settle-1", c.Subjects.RESOLVE_HELD_MESSAGE, body, AGENT)
        assert proc.wait_exit(60) == 137
        start()
        first = await keyed(rpc, "agent-keyed:settle-1", c.Subjects.RESOLVE_HELD_MESSAGE, body,
                            AGENT)  # fmt: skip
        again = await keyed(rpc, "agent-keyed:settle-1", c.Subjects.RESOLVE_HELD_MESSAGE, body,
                            AGENT)  # fmt: skip
        assert first == again
        settled = c.HeldMessage.model_validate(first)
        assert settled.message_id == held.message_id and settled.status != "uncertain"
        await eventually(lambda: _count(mailbox, mails_after), timeout=30)
        await _past_a_lease()
        assert len(_mails(mailbox)) == mails_after  # neither lost nor sent twice
        assert await _held(rpc) == []


async def test_marking_read_killed_after_commit(nats_server, sqlite_url, tmp_path):
    """An inbox item marked read, the reply lost to a crash: the retry gets the first answer
    (the same read time), and the item was marked read once."""
    async with stack(nats_server, sqlite_url, tmp_path) as (start, rpc, js, _mailbox):
        proc = start(f"rpc.after_commit:{c.Subjects.MARK_READ}")
        await publish(js, "warranty.claim.submitted", "CLM-R1", _submitted("CLM-R1"))
        [item] = await eventually(lambda: _inbox(rpc), timeout=60)
        with pytest.raises(Exception):  # noqa: B017  the service dies before it answers
            await keyed(rpc, "cust-keyed:read-1", c.Subjects.MARK_READ, {"item_id": item.id},
                        CUSTOMER)  # fmt: skip
        assert proc.wait_exit(60) == 137
        start()
        [marked] = await eventually(lambda: _inbox(rpc), timeout=60)
        assert marked.read_at is not None  # the first attempt committed
        first = await keyed(rpc, "cust-keyed:read-1", c.Subjects.MARK_READ, {"item_id": item.id},
                            CUSTOMER)  # fmt: skip
        again = await keyed(rpc, "cust-keyed:read-1", c.Subjects.MARK_READ, {"item_id": item.id},
                            CUSTOMER)  # fmt: skip
        assert first == again
        assert c.InboxItem.model_validate(first).read_at == marked.read_at
        [after] = await _inbox(rpc)
        assert after.read_at == marked.read_at


async def _inbox(rpc: RpcClient) -> list[c.InboxItem]:
    reply = await rpc.call(c.Subjects.LIST_INBOX, {}, actor=CUSTOMER)
    return c.InboxPage.model_validate(reply).items


async def _count(mailbox: Any, n: int) -> bool:
    return len(_mails(mailbox)) >= n


async def _past_a_lease() -> None:
    await asyncio.sleep(LEASE_SECONDS * 1.5)  # a resend would have happened by now
