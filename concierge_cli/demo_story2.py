"""Story 2, the UK customer and the US-only item, played through the public API as the UK
storefront and the chat agent would."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from concierge_cli.demo_http import Actor, DemoContext, StepFailed, expect
from concierge_cli.demo_watch import Inbox, Timeline

STORY = "Story 2: UK customer, US-only item"
AGENT = Actor("chat agent", "agent-chat-demo", "agent")
CONFIRMED = ["order_placed", "order_confirmed"]
CHARGED = ("goods", "shipping", "duty", "vat")  # vat_included is inside the goods price


def play(ctx: DemoContext) -> dict[str, Any]:
    http = ctx.http
    me = Actor("customer (UK storefront)", f"demo-{ctx.run_id}-priya", "customer")
    outcome: dict[str, Any] = {"customer_id": me.subject, "status": None}
    ctx.outcomes["story2"] = outcome
    inbox = Inbox(http, me, ctx.timeout)
    with http.step(STORY, "Customer's contact details registered", me) as step:
        contact = {"name": "Priya", "email": f"{me.subject}@example.co.uk", "locale": "en-GB"}
        got = http.json(me, "PUT", "/v1/me/contact", json=contact)
        step.details.append(f"{got['email']}, locale {got['locale']}")
    _browse(ctx, me)
    quote = _quote(ctx, me)
    order_id, tracker = _place(ctx, me, inbox, quote)
    outcome.update(order_id=order_id, status="confirmed")
    outcome["py01"] = _unavailable(ctx, me)
    outcome["declined_order"] = _declined(ctx, me, inbox)
    outcome["agent_order"] = _agent_order(ctx, me, inbox)
    for status, kinds in (("shipped", ["order_shipped"]), ("delivered", ["order_delivered"])):
        title = f"Sandbox carrier: order {status}"
        with http.step(STORY, title, me) as step:
            http.on_wait(f"waiting up to {ctx.delivery_timeout:.0f} s for '{status}' (the "
                         "sandbox carrier ships after 30 s and delivers after 90 s by default)")  # fmt: skip
            tracker.new(until=status, timeout=ctx.delivery_timeout, stop=("cancelled",))
            inbox.expect(kinds, order_id=order_id)
            order = http.json(me, "GET", f"/v1/orders/{order_id}")
            # The carrier may already have delivered by the time the shipped message is read.
            reached = ("shipped", "delivered") if status == "shipped" else (status,)
            expect(order["status"] in reached, f"order is '{order['status']}'", order)
            ship = order["shipment"]
            step.details.append(f"{ship['carrier']} {ship['tracking_number']}; "
                                f"{order['quote']['currency']} {order['quote']['total']} paid, "
                                "nothing due at the door")  # fmt: skip
            outcome["status"] = step.facts["status"] = order["status"]
    _summary(ctx, me, outcome)
    return outcome


def _browse(ctx: DemoContext, me: Actor) -> None:
    http = ctx.http
    with http.step(STORY, "Customer browses the UK catalogue (her choice, no redirect)", me) as s:
        uk = http.json(me, "GET", "/v1/catalog", params={"region": "UK"})
        offers = {o["style"]: o for o in uk["offers"]}
        expect(uk["currency"] == "GBP", f"UK catalogue in {uk['currency']}", uk)
        tc11 = offers.get("TC11") or {}
        expect(tc11.get("kind") == "cross_region", "TC11 is not offered cross-region", tc11)
        kinds: dict[str, int] = {}
        for offer in uk["offers"]:
            kinds[offer["kind"]] = kinds.get(offer["kind"], 0) + 1
        s.details.append(f"{len(offers)} offers in GBP: {kinds}")
        s.details.append(f"TC11 {tc11['name']}: ships from {tc11['ships_from_region']} "
                         f"({tc11['warehouse']}), £{tc11['price']} landed, "
                         f"{tc11['delivery_days_min']}-{tc11['delivery_days_max']} days")  # fmt: skip
        offer = http.json(me, "GET", "/v1/products/TC11/offers", params={"region": "UK"})
        expect(offer["kind"] == "cross_region", "TC11 offer is not cross-region", offer)
        us = http.json(me, "GET", "/v1/catalog", params={"region": "US"})
        s.details.append(f"the US catalogue is open to her too ({len(us['offers'])} offers in "
                         f"{us['currency']})")  # fmt: skip


def _quote(ctx: DemoContext, me: Actor) -> dict[str, Any]:
    with ctx.http.step(STORY, "Landed-cost quote in GBP for TC11", me) as step:
        quote: dict[str, Any] = ctx.http.json(
            me, "POST", "/v1/quotes", json={"style": "TC11", "region": "UK"}, expect=(201,)
        )
        lines = {line["kind"]: Decimal(line["amount"]) for line in quote["lines"]}
        total = sum((lines.get(k, Decimal(0)) for k in CHARGED), Decimal(0))
        expect(quote["currency"] == "GBP", f"quoted in {quote['currency']}", quote)
        expect(total == Decimal(quote["total"]), f"lines add up to {total}", quote)
        parts = ", ".join(f"{k} £{lines.get(k, Decimal('0.00'))}" for k in CHARGED)
        step.details.append(f"{parts}; total £{quote['total']} ({quote['tax_treatment']})")
        fx = quote["fx"]
        step.details.append(f"1 {fx['source']} = {fx['rate']} {fx['target']} (snapshot "
                            f"{fx['snapshot_rate']} + {fx['margin']} margin, {fx['as_of']}); "
                            f"valid until {quote['expires_at'][11:19]} UTC")  # fmt: skip
        step.facts.update(quote_id=quote["quote_id"], total=quote["total"])
        return quote


def _place(
    ctx: DemoContext, me: Actor, inbox: Inbox, quote: dict[str, Any]
) -> tuple[str, Timeline]:
    http = ctx.http
    body, key = {"quote_id": quote["quote_id"], "payment_token": "tok_ok"}, uuid.uuid4().hex
    with http.step(STORY, "Customer places the order (card tok_ok)", me) as step:
        order = http.json(me, "POST", "/v1/orders", json=body, expect=(201,), idempotency_key=key)
        order_id = order["order_id"]
        tracker = Timeline(http, me, f"/v1/orders/{order_id}/timeline", "order")
        tracker.new(until="confirmed", timeout=ctx.timeout, stop=("failed", "cancelled"))
        inbox.expect(CONFIRMED, order_id=order_id)
        order = http.json(me, "GET", f"/v1/orders/{order_id}")
        q = order["quote"]
        step.details.append(f"order {order_id}: £{q['total']} taken in GBP; stock reserved in "
                            f"{q['warehouse']}; customs {q['customs']['hs_code']} "
                            f"{q['customs']['incoterm']}")  # fmt: skip
        step.facts.update(order_id=order_id, status=order["status"])
    with http.step(STORY, "The same POST again (same Idempotency-Key)", me) as step:
        r = http.request(me, "POST", "/v1/orders", json=body, expect=(201,), idempotency_key=key)
        again = r.json()["order_id"]
        expect(again == order_id, f"a second order {again} was created", r.json())
        replayed = r.headers.get("idempotent-replayed", "")
        step.details.append(f"same order {again} (Idempotent-Replayed: {replayed or 'absent'})")
    return order_id, tracker


def _unavailable(ctx: DemoContext, me: Actor) -> dict[str, Any]:
    http = ctx.http
    with http.step(STORY, "PY01 is not for sale in the UK, and she is told why", me) as step:
        offer = http.json(me, "GET", "/v1/products/PY01/offers", params={"region": "UK"})
        expect(offer["kind"] == "unavailable" and "CITES" in (offer["reason"] or ""),
               "PY01 is not shown as unavailable with its CITES reason", offer)  # fmt: skip
        step.details.append(f"{offer['name']}: {offer['reason']} ({offer['reason_code']})")
        r = http.request(me, "POST", "/v1/quotes", json={"style": "PY01", "region": "UK"},
                         expect=(409,))  # fmt: skip
        step.details.append(f"quote refused: {r.status_code} {r.json().get('code')}")
        entry = http.json(me, "POST", "/v1/waitlist", json={"style": "PY01", "region": "UK"},
                          expect=(201,))  # fmt: skip
        step.details.append(f"instead: waitlist entry {entry['entry_id']} (told if listed)")
        return {"kind": offer["kind"], "reason_code": offer["reason_code"],
                "waitlist_entry": entry["entry_id"]}  # fmt: skip


def _declined(ctx: DemoContext, me: Actor, inbox: Inbox) -> dict[str, Any]:
    http = ctx.http
    with http.step(STORY, "A declined card (tok_declined) ends 'failed'", me) as step:
        quote = http.json(me, "POST", "/v1/quotes", json={"style": "TC11", "region": "UK"},
                          expect=(201,))  # fmt: skip
        order = http.json(me, "POST", "/v1/orders", expect=(201,),
                          json={"quote_id": quote["quote_id"], "payment_token": "tok_declined"})  # fmt: skip
        order_id = order["order_id"]
        tracker = Timeline(http, me, f"/v1/orders/{order_id}/timeline", "order")
        tracker.new(until="failed", timeout=ctx.timeout, stop=("confirmed",))
        items = inbox.expect(["order_placed", "order_failed"], order_id=order_id)
        order = http.json(me, "GET", f"/v1/orders/{order_id}")
        failure = order["failure"] or {}
        expect(failure.get("reason_code") == "payment_declined", "no payment_declined", order)
        step.details.append(f"{failure['reason_code']}: {failure['message']}")
        body = next(i["body"] for i in items if i["kind"] == "order_failed")
        advice = [line for line in body.splitlines() if line.startswith("What you can do")]
        if not advice:
            raise StepFailed("the failure message does not say what to do", body=body)
        step.details.append(f"{advice[0]} (advice {failure['advice_code']})")
        return {"order_id": order_id, "status": order["status"], **failure}


def _agent_order(ctx: DemoContext, me: Actor, inbox: Inbox) -> dict[str, Any]:
    http = ctx.http
    with http.step(STORY, "Chat agent places the order on her behalf", AGENT) as step:
        quote = http.json(AGENT, "POST", "/v1/quotes", expect=(201,),
                          json={"style": "TC11", "region": "UK", "customer_id": me.subject})  # fmt: skip
        order = http.json(AGENT, "POST", "/v1/orders", expect=(201,), json={
            "quote_id": quote["quote_id"], "payment_token": "tok_ok", "customer_id": me.subject})  # fmt: skip
        order_id = order["order_id"]
        tracker = Timeline(http, me, f"/v1/orders/{order_id}/timeline", "order")
        tracker.new(until="confirmed", timeout=ctx.timeout, stop=("failed", "cancelled"))
        inbox.expect(CONFIRMED, order_id=order_id)
        mine = http.json(me, "GET", f"/v1/orders/{order_id}")
        expect(mine["customer_id"] == me.subject and mine["placed_by_agent"] is True,
               "the order is not hers, placed by an agent", mine)  # fmt: skip
        step.details.append(f"order {order_id} by {order['agent_id']} for {mine['customer_id']}; "
                            "she sees it as placed by an agent (staff id hidden)")  # fmt: skip
        return {"order_id": order_id, "status": mine["status"], "placed_by_agent": True}


def _summary(ctx: DemoContext, me: Actor, outcome: dict[str, Any]) -> None:
    with ctx.http.step(STORY, "Her orders, as the storefront lists them", me) as step:
        page = ctx.http.json(me, "GET", "/v1/orders", params={"limit": 20})
        statuses = {o["order_id"]: o["status"] for o in page["items"]}
        wanted = {outcome["order_id"]: "delivered",
                  outcome["declined_order"]["order_id"]: "failed"}  # fmt: skip
        for order_id, status in wanted.items():
            expect(statuses.get(order_id) == status,
                   f"order {order_id} is '{statuses.get(order_id)}', expected '{status}'", page)  # fmt: skip
        outcome["agent_order"]["status"] = statuses.get(outcome["agent_order"]["order_id"])
        step.details.extend(f"{oid}: {status}" for oid, status in statuses.items())
