"""Return events become one message per step in the customer's locale, on the channels their
preferences allow; partners receive ids and figures only (the reclaimable duty and VAT)."""

from __future__ import annotations

import json

from services.notifications.adapters.tables import deliveries, webhook_deliveries
from services.notifications.domain.incoming import IncomingEvent
from shared.actor import Actor
from shared.contracts import notifications as c
from tests.support.notifications.cases import (
    ME,
    NOW,
    apply,
    customer_rpc,
    fan_out_event,
    rows,
    webhook_rpc,
)

REFUND = {"currency": "GBP", "total": "286.22", "goods": "231.01", "shipping": "0.00",
          "duty": "7.51", "vat": "47.70", "reclaimable_duty": "7.51",
          "reclaimable_import_vat": "51.58", "lines": []}  # fmt: skip
FACTS = {"return_id": "r_1", "return_number": "R-3F2A9-C01B7", "order_id": "o_1",
         "customer_id": "c1", "agent_id": None, "region": "UK", "resolution": "refund",
         "lines": [{"style": "VT02", "quantity": 1, "reason": "changed_mind"}],
         "currency": "GBP"}  # fmt: skip


def returned(type_: str, n: int, **data) -> IncomingEvent:
    return IncomingEvent(id=f"ret-{n}", type=type_, time=NOW, data=FACTS | data)


async def test_each_step_of_a_return_is_one_message_in_the_customers_locale(uow):
    n = customer_rpc(uow)
    await n.put_contact(c.PutContactRequest(email="m@example.co.uk", locale="en-GB"), ME)
    steps = [
        returned("orders.return.requested", 1, status="awaiting_parcel", refund=REFUND,
                 carrier="sandbox-post", tracking_numbers=["SBR1"], exchange=None),
        returned("orders.return.in_transit", 2, status="in_transit"),  # no message for this
        returned("orders.return.received", 3, status="received",
                 received_by="parcel_scanned_in"),
        returned("orders.return.refunded", 4, status="refunded", refund_id="re_1",
                 amount_refunded="286.22", refund=REFUND),
    ]  # fmt: skip
    assert [await apply(uow, n, ev) for ev in steps] == [2, 0, 2, 2]  # email and inbox each
    emails = {r.kind: r for r in await rows(uow, deliveries) if r.channel == "email"}
    assert set(emails) == {"return_requested", "return_received", "return_refunded"}
    assert "£286.22" in emails["return_requested"].text_body
    assert "returned goods" in emails["return_requested"].text_body
    assert "R-3F2A9-C01B7" in emails["return_requested"].subject
    assert "We've refunded £286.22" in emails["return_refunded"].text_body


async def test_a_us_customer_reads_dollars_and_email_off_leaves_the_inbox(uow):
    n = customer_rpc(uow)
    await n.put_contact(c.PutContactRequest(email="d@example.com", locale="en-US"), ME)
    await n.put_preferences(c.PutPreferencesRequest(transactional=["in_app"]), ME)
    ev = returned("orders.return.refunded", 5, status="refunded", refund_id="re_2",
                  amount_refunded="78.00", refund=REFUND | {"currency": "USD"},
                  currency="USD", region="US")  # fmt: skip
    assert await apply(uow, n, ev) == 1
    [inbox] = await rows(uow, deliveries)
    assert inbox.channel == "in_app"
    items = (await n.list_inbox(c.ListInboxRequest(), ME)).items
    assert [i.kind for i in items] == ["return_refunded"]
    assert "$78.00" in items[0].body


async def test_partners_receive_return_ids_and_figures_never_the_customer(uow):
    async def resolve(host, port):
        return ["93.184.216.34"]

    hooks = webhook_rpc(uow, resolver=resolve)
    partner = Actor(type="partner", id="p1")
    await hooks.create(c.CreateWebhookRequest(url="https://p.example/finance",
                                              event_types=["orders.return.*"]), partner)  # fmt: skip
    ev = returned("orders.return.refunded", 6, status="refunded", refund_id="re_1",
                  amount_refunded="286.22", refund=REFUND)  # fmt: skip
    assert await fan_out_event(uow, hooks, ev) == 1
    [row] = await rows(uow, webhook_deliveries)
    data = json.loads(row.payload)["data"]
    assert "customer_id" not in data and "agent_id" not in data
    assert data["return_id"] == "r_1" and data["order_id"] == "o_1"
    assert data["amount_refunded"] == "286.22"
    assert data["refund"]["reclaimable_duty"] == "7.51"
    assert data["refund"]["reclaimable_import_vat"] == "51.58"
