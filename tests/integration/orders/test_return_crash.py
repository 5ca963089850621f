"""Kill the orders process between the payment provider's refund and the return's record
(SIGKILL semantics), over NATS: the restarted process records the refund without paying again.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from services.orders.adapters import tables as t
from services.orders.adapters.providers.sandbox_journal import sandbox_url
from shared.contracts import orders as c
from shared.persistence.db import Database
from shared.persistence.messaging_tables import outbox_table
from tests.support.orders.crashing import FAST_RETURNS, FAST_SAGA, orders_crashing_at
from tests.support.waiting import eventually

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


async def test_crash_after_the_refund_then_resume_records_it_once(nats_server, tmp_path: Path):
    crash_at = "orders.after_return_refunded"
    fast = {**FAST_SAGA, **FAST_RETURNS}
    async with orders_crashing_at(crash_at, nats_server.url, tmp_path, **fast) as run:
        order = await run.place({"style": "VT02", "region": "UK"})
        await run.order_reaches(order["order_id"], "delivered")
        ret = await run.call(c.Subjects.REQUEST_RETURN, {"order_id": order["order_id"], **RETURN})
        assert ret["refund"]["total"] == "286.22"
        run.wait_crash()
        at_crash = await snapshot(run.db_url)
        assert at_crash == {"returns": ["received"], "refunds": ["286.22"], "events": 0}

        run.restart()

        async def refunded() -> dict | None:
            got = await run.call(c.Subjects.GET_RETURN, {"return_id": ret["return_id"]})
            return got if got["status"] == "refunded" else None

        done = await eventually(refunded, timeout=30)
        assert done["amount_refunded"] == "286.22"
        after = await snapshot(run.db_url)
    assert after == {"returns": ["refunded"], "refunds": ["286.22"], "events": 1}
