"""The warranty service against a real nats-server: RPC in, JetStream events out."""

from __future__ import annotations

import asyncio
import base64
import io

import nats
import pytest
from pypdf import PdfReader

from services.warranty.app import MIGRATIONS, build
from services.warranty.settings import Settings
from shared.actor import Actor
from shared.contracts import warranty as c
from shared.errors import DomainError
from shared.persistence.migrations import downgrade, upgrade
from shared.rpc import RpcClient
from tests.support.waiting import eventually

ALICE = Actor(type="customer", id="cust-alice")
CENTRE = Actor(type="partner", id="repair-us")


def settings(nats_url: str, db_url: str, **kw) -> Settings:
    return Settings(nats_url=nats_url, database_url=db_url, relay_sweep_interval=0.1, **kw)


async def subjects_in_stream(js, claim_id: str) -> list[str]:
    """The claim's subjects in the stream so far; [] when the server is too busy to answer
    (the callers retry within their own deadline)."""
    seen: list[str] = []
    try:
        sub = await js.pull_subscribe("warranty.claim.>", stream="WARRANTY")
    except TimeoutError:
        return seen
    try:
        while True:
            msgs = await sub.fetch(100, timeout=0.5)
            for m in msgs:
                if m.headers and m.headers.get("Nats-Msg-Id", "").startswith(claim_id):
                    seen.append(m.subject)
                await m.ack()
    except TimeoutError:  # nats-py raises its own or, at fetch's deadline, asyncio's
        pass
    finally:
        await sub.unsubscribe()
    return seen


async def test_story_over_nats(nats_server, sqlite_url):
    rt = build(settings(nats_server.url, sqlite_url))
    await rt.app.start()
    nc = await nats.connect(nats_server.url)
    rpc = RpcClient(nc)
    try:
        decoded = await rpc.call(
            c.Subjects.DECODE_LABEL, {"code": "sd 2551 vto2 0o12o z"}, actor=ALICE
        )
        assert decoded["code"] == "SD-2551-VT02-00120Z" and decoded["correction"]["applied"]
        coverage = await rpc.call(
            c.Subjects.CHECK_COVERAGE, {"region": "US", "label_code": decoded["code"]}, actor=ALICE
        )
        assert coverage["covered"] and coverage["rule"] == "manufacture_plus_shelf"
        claim = await rpc.call(
            c.Subjects.OPEN_CLAIM,
            {"region": "US", "label_code": decoded["code"], "components": ["handles", "piping"]},
            actor=ALICE,
        )
        claim_id = claim["id"]
        assert claim["status"] == "awaiting_item"
        pdf = await rpc.call(c.Subjects.RMA_PDF, {"claim_id": claim_id}, actor=ALICE)
        text = (
            PdfReader(io.BytesIO(base64.b64decode(pdf["content_base64"]))).pages[0].extract_text()
        )
        assert claim["rma"]["number"] in text
        for subject, body in [
            (c.Subjects.RECORD_RECEIPT, {}),
            (c.Subjects.START_INSPECTION, {}),
            (c.Subjects.START_REPAIR, {}),
            (
                c.Subjects.RECORD_SHIPMENT,
                {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"},
            ),
            (c.Subjects.RECORD_DELIVERY, {}),
        ]:
            claim = await rpc.call(subject, {"claim_id": claim_id, **body}, actor=CENTRE)
        assert claim["status"] == "closed"
        timeline = await rpc.call(c.Subjects.CLAIM_TIMELINE, {"claim_id": claim_id}, actor=ALICE)
        assert [e["to_status"] for e in timeline["entries"]][-3:] == [
            "shipped_back",
            "delivered",
            "closed",
        ]
        expected = [f"warranty.claim.{n}" for n in (
            "submitted", "approved", "rma_issued", "received", "inspection_started",
            "repair_started", "shipped_back", "delivered", "closed")]  # fmt: skip
        js = nc.jetstream()

        async def all_published():
            found = await subjects_in_stream(js, claim_id)
            return found if found == expected else None

        assert await eventually(all_published, timeout=10) == expected
    finally:
        await nc.drain()
        await rt.app.stop()


async def test_errors_travel_with_their_codes(nats_server, sqlite_url):
    rt = build(settings(nats_server.url, sqlite_url))
    await rt.app.start()
    nc = await nats.connect(nats_server.url)
    rpc = RpcClient(nc)
    try:
        with pytest.raises(DomainError) as exc:
            await rpc.call(c.Subjects.DECODE_LABEL, {"code": "SD-2551-VT02-00121Z"}, actor=ALICE)
        assert exc.value.code == "label_check_mismatch"
        with pytest.raises(DomainError) as exc:
            await rpc.call(c.Subjects.OPEN_CLAIM, {"region": "US", "components": []}, actor=ALICE)
        assert exc.value.code == "invalid_request"
        with pytest.raises(DomainError) as exc:
            await rpc.call(c.Subjects.GET_CLAIM, {"claim_id": "CLM-NONE"}, actor=ALICE)
        assert exc.value.code == "claim_not_found" and exc.value.kind == "not_found"
        policy = await rpc.call(c.Subjects.POLICY, {})
        assert [v["version"] for v in policy["versions"]] == ["2019-01", "2024-01"]
        html = await rpc.call(c.Subjects.POLICY_HTML, {})
        assert "<h1>Our warranty</h1>" in html["html"]
    finally:
        await nc.drain()
        await rt.app.stop()


async def test_sla_timer_fires_in_process(nats_server, sqlite_url):
    rt = build(settings(nats_server.url, sqlite_url, sla_at_risk_s=1.0, sla_breach_s=2.0,
                        timer_sweep_interval_s=0.2))  # fmt: skip
    await rt.app.start()
    nc = await nats.connect(nats_server.url)
    rpc = RpcClient(nc)
    try:
        claim = await rpc.call(
            c.Subjects.OPEN_CLAIM,
            {"region": "UK", "label_code": "SD-2551-VT02-00120Z", "components": ["handles"]},
            actor=ALICE,
        )
        await rpc.call(c.Subjects.RECORD_RECEIPT, {"claim_id": claim["id"]}, actor=CENTRE)

        async def breached():
            board = await rpc.call(c.Subjects.SLA_DASHBOARD, {}, actor=CENTRE)
            return [i["sla"] for i in board["items"]] == ["breached"]

        await eventually(breached, timeout=10)
        js = nc.jetstream()

        async def alarms():
            found = await subjects_in_stream(js, claim["id"])
            return {"warranty.claim.sla_at_risk", "warranty.claim.sla_breached"} <= set(found)

        await eventually(alarms, timeout=10)
    finally:
        await nc.drain()
        await rt.app.stop()


def test_migrations_up_down_up(database_url):
    upgrade(database_url, MIGRATIONS)
    downgrade(database_url, MIGRATIONS)
    upgrade(database_url, MIGRATIONS)
    asyncio.run(_seeded(database_url))


async def _seeded(url: str) -> None:
    import sqlalchemy as sa

    from services.warranty.adapters.tables import repair_parts_stock
    from shared.persistence.db import Database

    db = Database(url)
    try:
        async with db.read() as s:
            count = (
                await s.execute(sa.select(sa.func.count()).select_from(repair_parts_stock))
            ).scalar()
        assert count == 15
    finally:
        await db.dispose()
