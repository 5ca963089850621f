"""A repeated claim command (same request key) gets the first reply, over real NATS,
on SQLite and PostgreSQL: `shared.messaging.requests` behind `RpcRoute(command=True)`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import nats
import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from services.warranty.app import build
from services.warranty.settings import Settings
from shared.actor import Actor
from shared.contracts import warranty as c
from shared.errors import DomainError
from shared.rpc import RpcClient, reset_request_key, set_request_key
from tests.support.labels import story1_label

CUSTOMER = Actor(type="customer", id="cust-repeat")
CENTRE = Actor(type="agent", id="agent-repeat")
S = c.Subjects


@pytest.fixture
async def warranty(nats_server: Any, database_url: str) -> AsyncIterator[tuple[RpcClient, str]]:
    rt = build(Settings(nats_url=nats_server.url, database_url=database_url,
                        relay_sweep_interval=0.1))  # fmt: skip
    await rt.app.start()
    nc = await nats.connect(nats_server.url)
    try:
        yield RpcClient(nc, default_timeout=10), database_url
    finally:
        await nc.close()
        await rt.app.stop()


async def keyed(rpc: RpcClient, key: str | None, subject: str, body: Any, actor: Actor) -> Any:
    token = set_request_key(key)
    try:
        return await rpc.call(subject, body, actor=actor)
    finally:
        reset_request_key(token)


async def open_claim(rpc: RpcClient, serial: int) -> str:
    body = {"region": "UK", "components": ["stitching"], "label_code": story1_label(serial)}
    return str((await rpc.call(S.OPEN_CLAIM, body, actor=CUSTOMER))["id"])


async def receipts(rpc: RpcClient, claim_id: str) -> int:
    timeline = await rpc.call(S.CLAIM_TIMELINE, {"claim_id": claim_id}, actor=CENTRE)
    return sum(1 for e in timeline["entries"] if e["to_status"] == "received")


async def sql(url: str, statement: str) -> None:
    engine = create_async_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text(statement))
    finally:
        await engine.dispose()


async def test_a_repeat_gets_the_first_reply_without_running_again(warranty: Any) -> None:
    rpc, _ = warranty
    claim_id = await open_claim(rpc, 1001)
    ref = {"claim_id": claim_id}
    first = await keyed(rpc, "key-1", S.RECORD_RECEIPT, ref, CENTRE)
    await asyncio.sleep(0.05)  # the SLA view depends on the clock: a re-run would differ
    again = await keyed(rpc, "key-1", S.RECORD_RECEIPT, ref, CENTRE)
    assert again == first and first["status"] == "received"
    assert await receipts(rpc, claim_id) == 1
    with pytest.raises(DomainError) as refused:  # without the key it is a new request
        await rpc.call(S.RECORD_RECEIPT, ref, actor=CENTRE)
    assert refused.value.code == "claim_invalid_transition"


async def test_twins_in_flight_at_once_apply_once_and_agree(warranty: Any) -> None:
    rpc, _ = warranty
    claim_id = await open_claim(rpc, 1002)
    ref = {"claim_id": claim_id}
    replies = await asyncio.gather(
        *(keyed(rpc, "twin", S.RECORD_RECEIPT, ref, CENTRE) for _ in range(4))
    )
    assert all(r == replies[0] for r in replies) and replies[0]["status"] == "received"
    assert await receipts(rpc, claim_id) == 1


async def test_died_before_storing_the_reply_rebuilds_it_from_the_state(warranty: Any) -> None:
    rpc, url = warranty
    claim_id = await open_claim(rpc, 1003)
    ref = {"claim_id": claim_id}
    first = await keyed(rpc, "lost", S.RECORD_RECEIPT, ref, CENTRE)
    # As if the process died between the commit and storing the reply.
    await sql(url, "UPDATE processed_requests SET reply = NULL")
    again = await keyed(rpc, "lost", S.RECORD_RECEIPT, ref, CENTRE)
    assert again["status"] == "received" and again["id"] == first["id"]
    assert again["received_at"] == first["received_at"]
    assert await receipts(rpc, claim_id) == 1
    assert await keyed(rpc, "lost", S.RECORD_RECEIPT, ref, CENTRE) == again  # now stored


async def test_a_refusal_is_not_recorded_and_one_key_spans_operations(warranty: Any) -> None:
    rpc, _ = warranty
    claim_id = await open_claim(rpc, 1004)
    ref = {"claim_id": claim_id}
    with pytest.raises(DomainError):  # not received yet: nothing applied, nothing recorded
        await keyed(rpc, "k", S.START_INSPECTION, ref, CENTRE)
    assert (await keyed(rpc, "k", S.RECORD_RECEIPT, ref, CENTRE))["status"] == "received"
    inspected = await keyed(rpc, "k", S.START_INSPECTION, ref, CENTRE)
    assert inspected["status"] != "received"  # the same key on another operation ran it


async def test_racing_duplicates_of_one_claim_request_get_the_same_claim(warranty: Any) -> None:
    # Without the key header: the service's own guard (the claim id derived from the request
    # id; the item's one open claim) must answer duplicates with the claim, not a 409 or 5xx.
    rpc, _ = warranty
    body = {"region": "UK", "components": ["stitching"], "label_code": story1_label(1005),
            "request_id": "req-race"}  # fmt: skip
    claims = await asyncio.gather(
        *(rpc.call(S.OPEN_CLAIM, body, actor=CUSTOMER) for _ in range(6)), return_exceptions=True
    )
    assert all(isinstance(x, dict) for x in claims), claims
    assert len({x["id"] for x in claims}) == 1  # type: ignore[index]
