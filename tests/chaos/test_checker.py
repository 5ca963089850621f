"""The chaos checker can fail: fabricated lost and duplicated effects are each reported.

A consumer that acked before committing (or a relay that marked rows published before the
PubAck) loses effects after a crash: in the checker's terms an event never applied by its
consumer, a state change without its event, or a message never sent. Each of those shapes is
fabricated below on an otherwise consistent snapshot and must be reported; the consistent
snapshot itself must pass.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.chaos.checker import Event, Report, Snapshot, check

ORDER_STEPS = ["pending", "payment_authorized", "stock_reserved", "shipment_created",
               "confirmed", "shipped", "delivered"]  # fmt: skip
CLAIM_STEPS = [("submitted", "submitted"), ("approved", "approved"),
               ("rma_issued", "awaiting_item")]  # fmt: skip
MID = "<d1@notifications.concierge.local>"


def request(op: str, intent: str, response: dict[str, Any], key: str = "k", status: int = 201,
            customer: str = "c1") -> dict[str, Any]:  # fmt: skip
    return {"customer": customer, "op": op, "key": key, "intent": intent, "status": status,
            "response": response, "attempts": [{"status": status}]}  # fmt: skip


def consistent() -> Snapshot:
    s = Snapshot(customers={"c1"})
    s.requests = [
        request("quote", "quote:1", {"quote_id": "q1"}, key="kq"),
        request("order", "order:q1", {"order_id": "o1"}, key="ko"),
        request("claim", "claim:SD-1", {"id": "CLM-1"}, key="kc"),
    ]
    s.quotes = {"q1": "c1"}
    s.orders = {"o1": {"customer_id": "c1", "quote_id": "q1", "status": "delivered",
                       "open_saga": 0, "timeline": list(ORDER_STEPS)}}  # fmt: skip
    s.claims = {"CLM-1": {"customer_id": "c1", "label_code": "SD-1", "status": "awaiting_item",
                          "transitions": [st for _, st in CLAIM_STEPS]}}  # fmt: skip
    for i, step in enumerate(ORDER_STEPS):
        name = "placed" if step == "pending" else step
        s.events.append(Event("ORDERS", i + 1, f"e-o{i}", f"orders.order.{name}", "o1",
                              {"customer_id": "c1"}))  # fmt: skip
    for i, (name, status) in enumerate(CLAIM_STEPS):
        s.events.append(Event("WARRANTY", i + 1, f"CLM-1.{i + 1}", f"warranty.claim.{name}",
                              "CLM-1", {"customer_id": "c1", "status": status}))  # fmt: skip
    s.events.append(Event("NOTIFICATIONS", 1, "n1", "notifications.message.sent", "d1",
                          {"message_id": "d1", "attempt": 1, "customer_id": "c1"}))  # fmt: skip
    s.consumer_inbox = {("notifications-orders" if e.stream == "ORDERS" else
                         "notifications-warranty", e.id) for e in s.events}  # fmt: skip
    s.deliveries = [
        {"id": "d1", "event_id": "e-o0", "kind": "order_placed", "channel": "email",
         "recipient": "c1@example.com", "customer_id": "c1", "status": "sent"},
        {"id": "d2", "event_id": "e-o0", "kind": "order_placed", "channel": "in_app",
         "recipient": "c1", "customer_id": "c1", "status": "delivered"},
    ]  # fmt: skip
    s.inbox_items = {"d2"}
    s.mail_ids = [MID]
    s.webhook_types = ["warranty.claim.*", "orders.order.*"]
    s.partner_visible = {e.type for e in s.events if not e.type.startswith("notifications")}
    s.webhook_hits = [{"webhook_id": e.id, "status": 200, "type": e.type}
                      for e in s.events if e.type in s.partner_visible]  # fmt: skip
    s.webhook_deliveries = [{"event_id": h["webhook_id"], "status": "delivered"}
                            for h in s.webhook_hits]  # fmt: skip
    s.reservations = [{"owner_id": "o1", "purpose": "order", "status": "committed",
                       "quantity": 1, "warehouse": "US-NJ", "style": "TC11"}]  # fmt: skip
    s.stock = [{"warehouse": "US-NJ", "style": "TC11", "on_hand": 17, "reserved": 0}]
    s.payments = [{"idempotency_key": "o1:authorize_payment", "status": "captured"}]
    return s


def test_a_consistent_snapshot_passes() -> None:
    report = check(consistent())
    assert report.ok, report.text()
    assert report.counts["events"] == 11 and report.counts["emails"] == 1


def _fails(s: Snapshot, kind: str, needle: str) -> Report:
    report = check(s)
    found: list[str] = getattr(report, kind)
    assert not report.ok, report.text()
    assert any(needle in item for item in found), report.text()
    return report


def test_extra_event_with_a_new_id_for_the_same_transition_is_a_duplicate() -> None:
    s = consistent()
    again = copy.copy(s.events[4])  # orders.order.confirmed, published twice under two ids
    again.id, again.seq = "e-o4-bis", 99
    s.events.append(again)
    s.consumer_inbox.add(("notifications-orders", again.id))
    _fails(s, "duplicates", "distinct event ids for one transition ('orders.order.confirmed'")


def test_the_same_event_stored_twice_is_a_duplicate() -> None:
    s = consistent()
    s.events.append(copy.copy(s.events[0]))
    _fails(s, "duplicates", "event e-o0 stored 2 times in ORDERS")


def test_a_2xx_order_that_does_not_exist_is_lost() -> None:
    s = consistent()
    s.requests.append(request("order", "order:q2", {"order_id": "o-ghost"}, key="k2"))
    _fails(s, "lost", "order o-ghost answered 201")


def test_a_2xx_order_the_gateway_cannot_find_is_lost() -> None:
    s = consistent()
    s.api_missing.append("o1")
    _fails(s, "lost", "gateway says 404")


def test_one_key_answered_with_two_objects_is_a_duplicate() -> None:
    s = consistent()
    s.requests.append(request("claim", "claim:SD-1", {"id": "CLM-2"}, key="kc"))
    s.claims["CLM-2"] = {**s.claims["CLM-1"]}
    _fails(s, "duplicates", "Idempotency-Key kc answered 2xx")
    _fails(s, "duplicates", "claim intent SD-1 created 2 claims")


@pytest.mark.parametrize("drop", ["e-o3", "CLM-1.2"])
def test_a_state_change_without_its_event_is_lost(drop: str) -> None:
    s = consistent()
    s.events = [e for e in s.events if e.id != drop]
    s.webhook_hits = [h for h in s.webhook_hits if h["webhook_id"] != drop]
    _fails(s, "lost", "but no")


def test_an_event_acked_before_its_effect_committed_is_lost() -> None:
    """Ack-before-commit + crash: JetStream never redelivers, the inbox never saw the event."""
    s = consistent()
    s.consumer_inbox.discard(("notifications-orders", "e-o5"))
    _fails(s, "lost", "event e-o5 (orders.order.shipped) never applied by notifications-orders")


def test_a_message_marked_sent_that_never_reached_smtp_is_lost() -> None:
    s = consistent()
    s.mail_ids = []
    _fails(s, "lost", "marked sent, never reached SMTP")


def test_an_email_under_a_second_message_id_is_a_duplicate() -> None:
    s = consistent()
    s.mail_ids.append("<other@notifications.concierge.local>")
    _fails(s, "duplicates", "matches no delivery")


def test_the_same_email_reaching_smtp_twice_is_a_duplicate() -> None:
    s = consistent()
    s.mail_ids.append(MID)
    report = _fails(s, "duplicates", f"email {MID} reached the SMTP server 2x")
    assert report.counts["email_resends"] == 1
    assert "1 sent twice" in report.text()


def test_a_pending_message_and_a_missing_in_app_item_are_lost() -> None:
    s = consistent()
    s.deliveries[0]["status"] = "pending"
    s.inbox_items = set()
    report = _fails(s, "lost", "is pending")
    assert any("not in the inbox" in x for x in report.lost)


def test_an_undelivered_webhook_is_lost_and_a_retry_is_not_a_duplicate() -> None:
    s = consistent()
    s.webhook_hits = [h for h in s.webhook_hits if h["webhook_id"] != "e-o6"]
    s.webhook_hits.append({"webhook_id": "e-o0", "status": 503, "type": "orders.order.placed"})
    report = _fails(s, "lost", "webhook for event e-o6")
    assert not report.duplicates and report.counts["webhook_retries"] == 1


def test_a_failed_order_holding_stock_or_an_authorization_is_half_done() -> None:
    s = consistent()
    s.orders["o1"]["status"] = "failed"
    s.orders["o1"]["timeline"] = ["pending", "payment_authorized", "stock_reserved", "failed"]
    s.reservations[0]["status"] = "held"
    s.stock[0]["reserved"] = 1
    s.payments[0]["status"] = "authorized"
    report = _fails(s, "half_done", "holds 1 TC11")
    assert any("still authorized" in x for x in report.half_done)


def test_an_unfinished_order_and_inconsistent_stock_are_reported() -> None:
    s = consistent()
    s.orders["o1"]["status"] = "confirmed"
    s.stock[0]["reserved"] = 3
    report = _fails(s, "half_done", "stuck in confirmed")
    assert any("reserved=3" in x for x in report.inconsistent)


def test_an_error_answer_for_an_applied_request_contradicts_the_state() -> None:
    # The chaos run's receipt: applied by the first attempt, the retry was told 409.
    s = consistent()
    s.claims["CLM-1"]["transitions"].append("received")
    refused = request("step:receipt", "step:CLM-1:receipt",
                      {"code": "claim_invalid_transition"}, key="kr", status=409)  # fmt: skip
    refused["attempts"] = [{"status": None}, {"status": 409}]
    s.requests.append(refused)
    report = check(s)
    assert not report.ok and report.counts["contradictions"] == 1
    assert any("step:CLM-1:receipt answered 409" in x for x in report.inconsistent)


def test_a_refusal_of_what_never_happened_is_no_contradiction() -> None:
    s = consistent()
    refused = request("order", "order:q9", {"code": "out_of_stock"}, key="k9", status=409)
    s.requests.append(refused)
    report = check(s)
    assert report.ok, report.text()
    assert report.counts["contradictions"] == 0 and report.counts["out_of_stock"] == 1


def returned() -> Snapshot:
    """The consistent snapshot plus o1 returned for a refund: requested, in transit, received
    and refunded once (its sandbox refund under `r1:refund`)."""
    s = consistent()
    s.requests.append(request("return", "return:o1", {"return_id": "r1", "order_id": "o1"},
                              key="kr1"))  # fmt: skip
    s.returns = {"r1": {"order_id": "o1", "customer_id": "c1", "status": "refunded"}}
    for i, name in enumerate(("requested", "in_transit", "received", "refunded")):
        data = {"customer_id": "c1", "return_id": "r1", "order_id": "o1"}
        if name == "refunded":
            data["amount_refunded"] = "288.17"
        event = Event("ORDERS", 50 + i, f"e-r{i}", f"orders.return.{name}", "r1", data)
        s.events.append(event)
        s.consumer_inbox.add(("notifications-orders", event.id))
    s.refunds = [{"idempotency_key": "r1:refund", "refund_id": "re_1", "amount": "288.17"}]
    return s


def test_a_return_refunded_once_passes() -> None:
    report = check(returned())
    assert report.ok, report.text()
    assert report.counts["returns_refunded"] == 1 and report.counts["refunds_paid"] == 1


def test_a_return_refunded_twice_is_a_duplicate() -> None:
    s = returned()
    s.refunds.append({"idempotency_key": "r1:refund:again", "refund_id": "re_2",
                      "amount": "288.17"})  # fmt: skip
    _fails(s, "duplicates", "return r1: 2 sandbox refunds")
    s = returned()
    again = copy.copy(s.events[-1])
    again.id, again.seq = "e-r3-bis", 99
    s.events.append(again)
    s.consumer_inbox.add(("notifications-orders", again.id))
    _fails(s, "duplicates", "return r1: 2 orders.return.refunded events")


def test_a_refund_or_its_event_lost_is_reported() -> None:
    s = returned()
    s.refunds = []
    _fails(s, "lost", "return r1 refunded but no sandbox refund")
    s = returned()
    s.events = [e for e in s.events if e.type != "orders.return.refunded"]
    _fails(s, "lost", "return r1 refunded but no orders.return.refunded event")


def test_a_stuck_return_a_wrong_amount_and_a_missing_2xx_return_are_reported() -> None:
    s = returned()
    s.refunds[0]["amount"] = "300.00"
    _fails(s, "inconsistent", "event says 288.17, sandbox refunded 300.00")
    s = returned()
    s.returns["r1"]["status"] = "in_transit"
    report = _fails(s, "half_done", "return r1 stuck in in_transit")
    assert any("is in_transit but has 1 refunded events" in x for x in report.inconsistent)
    s = returned()
    s.returns = {}
    report = _fails(s, "lost", "return r1 answered 201")
    assert any("refund for return r1 that does not exist" in x for x in report.inconsistent)


def exchanged(direction: str = "charge") -> Snapshot:
    """o1's return r1 is an exchange for a dearer style: the 50.48 difference charged once at
    the start, nothing paid back, the new item booked once from UK-LON after the parcel came."""
    s = returned()
    exchange = {"direction": direction, "difference": "50.48", "warehouse": "UK-LON",
                "shipment": ["sh_x", "TRK1", "sandbox"]}  # fmt: skip
    s.returns["r1"]["exchange"] = exchange
    s.events[-1].data["amount_refunded"] = "0.00" if direction == "charge" else "50.48"
    s.refunds = [] if direction == "charge" else [
        {"idempotency_key": "r1:refund", "refund_id": "re_1", "amount": "50.48"}]  # fmt: skip
    if direction == "charge":
        s.payments.append({"idempotency_key": "r1:exchange_difference", "status": "captured",
                           "amount": "50.48"})  # fmt: skip
    s.shipments = [{"idempotency_key": "r1:create_shipment:UK-LON", "shipment_id": "sh_x"}]
    return s


def test_an_exchange_settled_once_passes() -> None:
    for direction in ("charge", "refund"):
        report = check(exchanged(direction))
        assert report.ok, report.text()
        assert report.counts["exchanges"] == 1 and report.counts["exchange_items_booked"] == 1
        key = f"exchange_differences_{'charged' if direction == 'charge' else 'refunded'}"
        assert report.counts[key] == 1, report.text()


def test_an_exchange_charged_twice_or_never_is_reported() -> None:
    s = exchanged()
    s.payments.append(dict(s.payments[-1]))
    _fails(s, "duplicates", "exchange r1: difference 50.48 charged 2x")
    s = exchanged()
    s.payments = [p for p in s.payments if not p["idempotency_key"].startswith("r1:")]
    _fails(s, "lost", "exchange r1: difference 50.48 charged 0x")
    s = exchanged()
    s.payments[-1]["amount"] = "60.00"
    _fails(s, "inconsistent", "exchange r1: difference 50.48, charged 60.00")
    s = exchanged("refund")
    s.refunds[0]["amount"] = s.events[-1].data["amount_refunded"] = "40.00"
    _fails(s, "inconsistent", "exchange r1: difference 50.48 owed back, refunded 40.00")


def test_an_exchange_item_booked_twice_or_never_is_reported() -> None:
    s = exchanged()
    s.shipments.append({"idempotency_key": "r1:create_shipment:US-NJ", "shipment_id": "sh_y"})
    _fails(s, "duplicates", "exchange r1: new item booked 2x")
    s = exchanged()
    s.shipments = []
    _fails(s, "lost", "exchange r1: new item never booked with the carrier")
    s = exchanged()
    s.returns["r1"]["exchange"]["shipment"] = ["sh_other", "TRK2", "sandbox"]
    _fails(s, "inconsistent", "exchange r1: booked ('UK-LON', 'sh_x'), the return says")
    s = exchanged()
    s.returns["r1"]["exchange"] = None
    _fails(s, "inconsistent", "return r1 (a refund) charged or shipped as an exchange")
