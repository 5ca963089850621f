"""Returns events go to partners (NATS export `orders.return.>`, webhooks): every one a return
can publish carries ids, codes and figures only. The no-personal-data scan passes them, and the
partner webhook form of each drops the customer's and the agent's ids."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import orjson
import sqlalchemy as sa

from services.notifications.domain.webhooks import thin_payload
from services.orders.domain.returns import ReturnStatus
from shared.actor import Actor
from shared.contracts.registry import load_all
from shared.persistence.messaging_tables import outbox_table
from tests.support.event_scan import scan_event, strings
from tests.support.orders.returns import delivered, line, processing
from tests.support.orders.stack import UK_CUSTOMER, Stack

AGENT = Actor(type="agent", id="agent-7", on_behalf_of=UK_CUSTOMER.id)
ALL_RETURN_EVENTS = {
    "orders.return.requested", "orders.return.in_transit", "orders.return.received",
    "orders.return.refunded", "orders.return.cancelled", "orders.return.expired",
}  # fmt: skip


async def return_events(stack: Stack) -> list[dict[str, Any]]:
    async with stack.db.read() as session:
        rows = await session.execute(
            sa.select(outbox_table.c.payload)
            .where(outbox_table.c.subject.like("orders.return.%"))
            .order_by(outbox_table.c.seq)
        )
        return [orjson.loads(r.payload) for r in rows]


async def every_kind_of_return(stack: Stack) -> None:
    """Refunded (started by an agent), cancelled by the customer, and expired."""
    worker = processing(stack)
    refunded = await stack.cases.returns.request_return(
        AGENT, (await delivered(stack)).order_id, [line("VT02", reason="wrong_size_or_fit")]
    )
    stack.clock.advance(timedelta(seconds=61))  # handed over to the carrier
    assert (await worker.advance(refunded.return_id)).status is ReturnStatus.IN_TRANSIT
    stack.clock.advance(timedelta(seconds=120))  # scanned in: refunded
    assert (await worker.advance(refunded.return_id)).status is ReturnStatus.REFUNDED
    cancelled = await stack.cases.returns.request_return(
        UK_CUSTOMER, (await delivered(stack)).order_id, [line("VT02")]
    )
    await stack.cases.return_cancellation.cancel_return(UK_CUSTOMER, cancelled.return_id)
    stack.carrier.return_schedule = (None, None)  # the customer keeps the goods
    expired = await stack.cases.returns.request_return(
        UK_CUSTOMER, (await delivered(stack)).order_id, [line("VT02")]
    )
    stack.clock.advance(timedelta(days=31))
    assert (await worker.advance(expired.return_id)).status is ReturnStatus.EXPIRED


async def test_return_events_carry_no_personal_data_and_partners_get_no_person_ids(stack: Stack):
    await every_kind_of_return(stack)
    events = await return_events(stack)
    assert {e["type"] for e in events} == ALL_RETURN_EVENTS
    registry = load_all()
    for event in events:
        assert scan_event(event) == [], scan_event(event)
        assert registry[event["type"]].partner_visible, event["type"]
        partner = thin_payload(event["type"], stack.clock.now(), event["data"]).data
        assert partner["return_id"] == event["data"]["return_id"]
        assert not {"customer_id", "agent_id"} & set(partner), (event["type"], partner)
        texts = [text for _path, text in strings(partner)]
        assert UK_CUSTOMER.id not in texts and AGENT.id not in texts, (event["type"], partner)
    [requested] = [e for e in events if e["data"].get("agent_id") == AGENT.id][:1]
    assert requested["type"] == "orders.return.requested"  # the scan saw the agent's id too
