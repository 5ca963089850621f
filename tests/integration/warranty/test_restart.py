"""A warranty service killed between receipt and repair resumes with its SLA timer intact."""

from __future__ import annotations

import asyncio

import nats

from shared.actor import Actor
from shared.contracts import warranty as c
from shared.rpc import RpcClient
from tests.support.processes import service_process
from tests.support.waiting import eventually

ALICE = Actor(type="customer", id="cust-alice")
CENTRE = Actor(type="partner", id="repair-uk")


async def test_sla_timer_survives_sigkill(nats_server, sqlite_url, tmp_path):
    proc = service_process(
        "services.warranty", "WARRANTY_", nats_server.url, sqlite_url, tmp_path / "warranty.log",
        WARRANTY_SLA_AT_RISK_S="3", WARRANTY_SLA_BREACH_S="5", WARRANTY_TIMER_SWEEP_INTERVAL_S="0.2",
    )  # fmt: skip
    proc.start()
    nc = await nats.connect(nats_server.url)
    rpc = RpcClient(nc)
    try:
        claim = await rpc.call(
            c.Subjects.OPEN_CLAIM,
            {"region": "UK", "label_code": "SD-2551-VT02-00120Z", "components": ["handles"]},
            actor=ALICE,
        )
        received = await rpc.call(
            c.Subjects.RECORD_RECEIPT, {"claim_id": claim["id"]}, actor=CENTRE
        )
        assert received["status"] == "received"
        proc.kill()  # SIGKILL: no shutdown hook runs
        await asyncio.sleep(5.5)  # both deadlines pass while the service is down
        proc.start()
        js = nc.jetstream()

        async def alarms() -> set[str]:
            sub = await js.pull_subscribe("warranty.claim.>", stream="WARRANTY")
            found: set[str] = set()
            try:
                for m in await sub.fetch(100, timeout=1):
                    found.add(m.subject)
            except TimeoutError:  # nats-py raises its own or, at fetch's deadline, asyncio's
                pass
            finally:
                await sub.unsubscribe()
            wanted = {"warranty.claim.sla_at_risk", "warranty.claim.sla_breached"}
            return found if wanted <= found else set()

        await eventually(alarms, timeout=15)
        await rpc.call(c.Subjects.START_INSPECTION, {"claim_id": claim["id"]}, actor=CENTRE)
        repaired = await rpc.call(c.Subjects.START_REPAIR, {"claim_id": claim["id"]}, actor=CENTRE)
        assert repaired["status"] == "repairing" and repaired["sla"]["status"] == "breached"
    finally:
        await nc.drain()
        proc.kill()
