"""Killing the notifications service mid-delivery loses no message; a resend is recognisable.

Real processes (`python -m services.notifications`), a real nats-server, SQLite, and a real SMTP
server in the test process.
"""

from __future__ import annotations

from email.message import EmailMessage

import nats

from shared.contracts import notifications as c
from shared.contracts import warranty as w
from shared.rpc import Actor, RpcClient
from tests.support.processes import service_process
from tests.support.waiting import eventually

from .support import publish, start_smtp
from .test_service import claim_data

CUSTOMER = Actor(type="customer", id="cust-crash")


def _process(nats_server, sqlite_url, tmp_path, smtp_port: int, **extra: str):
    return service_process(
        "services.notifications",
        "NOTIFICATIONS_",
        nats_server.url,
        sqlite_url,
        tmp_path / "notifications.log",
        NOTIFICATIONS_SMTP_HOST="127.0.0.1",
        NOTIFICATIONS_SMTP_PORT=str(smtp_port),
        NOTIFICATIONS_DELIVERY_POLL_INTERVAL="0.05",
        NOTIFICATIONS_DELIVERY_LEASE_SECONDS="1",
        **extra,
    )


async def _setup(nats_url: str) -> tuple[object, RpcClient, object]:
    nc = await nats.connect(nats_url)
    rpc = RpcClient(nc)
    await rpc.call(
        c.RPC_PUT_CONTACT,
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


async def test_killed_after_leasing_before_sending_sends_once_after_restart(
    nats_server, sqlite_url, tmp_path
):
    controller, mailbox = start_smtp()
    proc = _process(nats_server, sqlite_url, tmp_path, controller.port,
                    CONCIERGE_CRASH_AT="notifications.before_send").start()  # fmt: skip
    nc, _rpc, js = await _setup(nats_server.url)
    try:
        await publish(js, "warranty.claim.submitted", "CLM-K1", _submitted("CLM-K1"))
        assert proc.wait_exit(60) == 137  # died holding the lease, before sending
        assert _mine(mailbox.messages) == []
        proc = _process(nats_server, sqlite_url, tmp_path, controller.port).start()
        await eventually(lambda: _count(mailbox, 1), timeout=60)
        await _settle()
        assert len(_mine(mailbox.messages)) == 1
    finally:
        proc.kill()
        await nc.drain()
        controller.stop()


async def test_killed_mid_stream_loses_nothing(nats_server, sqlite_url, tmp_path):
    controller, mailbox = start_smtp()
    proc = _process(nats_server, sqlite_url, tmp_path, controller.port).start()
    nc, _rpc, js = await _setup(nats_server.url)
    n = 30
    try:
        for i in range(n):
            await publish(js, "warranty.claim.submitted", f"CLM-S{i}", _submitted(f"CLM-S{i}"))
        await eventually(lambda: _count(mailbox, 3), timeout=20)
        proc.kill()  # SIGKILL while messages are still going out
        sent_before = len(_mine(mailbox.messages))
        proc = _process(nats_server, sqlite_url, tmp_path, controller.port).start()
        await eventually(lambda: _distinct(mailbox, n), timeout=60)
        await _settle()
        mails = _mine(mailbox.messages)
        ids = [m["Message-ID"] for m in mails]
        assert len(set(ids)) == n  # every message arrived
        # A resend can only come from a kill between "SMTP accepted" and "recorded"; it then
        # carries the same Message-ID, so mail systems and people can recognise it.
        assert len(ids) - len(set(ids)) <= 1, (sent_before, len(ids))
    finally:
        proc.kill()
        await nc.drain()
        controller.stop()


async def _count(mailbox, n: int) -> bool:
    return len(_mine(mailbox.messages)) >= n


async def _distinct(mailbox, n: int) -> bool:
    return len({m["Message-ID"] for m in _mine(mailbox.messages)}) >= n


async def _settle() -> None:
    import asyncio

    await asyncio.sleep(1.5)  # longer than a lease: a duplicate would show up by now
