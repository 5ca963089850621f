"""Kill the orders process between the payment provider's refund and the return's record
(SIGKILL semantics), over NATS: the restarted process records the refund without paying again.
"""

from __future__ import annotations

from pathlib import Path

import nats
import sqlalchemy as sa

from services.orders.adapters import tables as t
from services.orders.adapters.providers.sandbox_journal import sandbox_url
from shared.actor import Actor
from shared.contracts import orders as c
from shared.persistence.db import Database
from shared.persistence.messaging_tables import outbox_table
from shared.rpc import RpcClient
from tests.support.processes import service_process
from tests.support.waiting import eventually

CUSTOMER = Actor(type="customer", id="cust-uk-1")
FAST = {
    "ORDERS_CARRIER_IN_TRANSIT_AFTER": "0.3",
    "ORDERS_CARRIER_DELIVERED_AFTER": "0.6",
    "ORDERS_SAGA_SWEEP_INTERVAL": "0.2",
    "ORDERS_TRACKING_POLL_INTERVAL": "0.2",
    "ORDERS_CARRIER_RETURN_PICKED_UP_AFTER": "0.3",
    "ORDERS_CARRIER_RETURN_SCANNED_IN_AFTER": "0.6",
    "ORDERS_RETURN_SWEEP_INTERVAL": "0.2",
    "ORDERS_RETURN_POLL_INTERVAL": "0.2",
}
RETURN = {"lines": [{"style": "VT02", "quantity": 1, "reason": "changed_mind"}]}


async def snapshot(db_url: str) -> dict:
    db, sandbox = Database(db_url), Database(sandbox_url(db_url))
    try:
        async with db.read() as s:
            statuses = (await s.execute(sa.select(t.returns.c.status))).scalars().all()
            refunded_events = (
                await s.execute(
                    sa.select(sa.func.count())
                    .select_from(outbox_table)
                    .where(outbox_table.c.subject == "orders.return.refunded")
                )
            ).scalar_one()
        async with sandbox.read() as s:
            refunds = (await s.execute(sa.select(t.sandbox_refunds.c.amount))).scalars().all()
        return {"returns": list(statuses), "refunds": list(refunds), "events": refunded_events}
    finally:
        await db.dispose()
        await sandbox.dispose()


async def delivered_order(rpc: RpcClient) -> str:
    quote = await rpc.call(c.Subjects.QUOTE, {"style": "VT02", "region": "UK"}, actor=CUSTOMER)
    order = await rpc.call(
        c.Subjects.PLACE_ORDER,
        {"quote_id": quote["quote_id"], "payment_token": "tok_ok"},
        actor=CUSTOMER,
    )

    async def delivered() -> bool:
        got = await rpc.call(c.Subjects.GET_ORDER, {"order_id": order["order_id"]}, actor=CUSTOMER)
        return got["status"] == "delivered"

    await eventually(delivered, timeout=30)
    return order["order_id"]


async def test_crash_after_the_refund_then_resume_records_it_once(nats_server, tmp_path: Path):
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'orders.db'}"
    log = tmp_path / "orders.log"
    first = service_process(
        "services.orders", "ORDERS_", nats_server.url, db_url, log,
        CONCIERGE_CRASH_AT="orders.after_return_refunded", **FAST,
    ).start()  # fmt: skip
    nc = await nats.connect(nats_server.url)
    rpc = RpcClient(nc, default_timeout=10)
    second = None
    try:
        order_id = await delivered_order(rpc)
        ret = await rpc.call(
            c.Subjects.REQUEST_RETURN, {"order_id": order_id, **RETURN}, actor=CUSTOMER
        )
        assert ret["refund"]["total"] == "286.22"
        assert first.wait_exit(20) == 137, first.logs()[-2000:]
        at_crash = await snapshot(db_url)
        assert at_crash == {"returns": ["received"], "refunds": ["286.22"], "events": 0}

        second = service_process(
            "services.orders", "ORDERS_", nats_server.url, db_url, log, **FAST
        ).start()

        async def refunded() -> dict | None:
            got = await rpc.call(
                c.Subjects.GET_RETURN, {"return_id": ret["return_id"]}, actor=CUSTOMER
            )
            return got if got["status"] == "refunded" else None

        done = await eventually(refunded, timeout=30)
        assert done["amount_refunded"] == "286.22"
        after = await snapshot(db_url)
        assert after == {"returns": ["refunded"], "refunds": ["286.22"], "events": 1}
    finally:
        if second is not None:
            second.terminate()
        first.kill()
        await nc.drain()
