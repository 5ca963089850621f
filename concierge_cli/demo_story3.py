"""Story 3, the return (story 2 continued): the UK customer bought two US-only items in one cart
(TC11 + VT02, one DDP parcel from US-NJ) and sends back the VT02. She gets a free label declared
as returned goods and the refund by the rule: what she paid minus what the TC11 she keeps costs
quoted alone. The refund is paid only once the carrier scans the parcel in, and she is told at
each step."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from concierge_cli.demo_http import Actor, DemoContext, expect
from concierge_cli.demo_watch import Inbox, Timeline

STORY = "Story 3: the return"
CART = {
    "region": "UK",
    "lines": [{"style": "TC11", "quantity": 1}, {"style": "VT02", "quantity": 1}],
}


def play(ctx: DemoContext) -> dict[str, Any]:
    http = ctx.http
    me = Actor("customer (UK storefront)", f"demo-{ctx.run_id}-returns", "customer")
    outcome: dict[str, Any] = {"customer_id": me.subject, "status": None}
    ctx.outcomes["story3"] = outcome
    inbox = Inbox(http, me, ctx.timeout)
    with http.step(STORY, "Customer's contact details registered", me) as step:
        contact = {"name": "Priya", "email": f"{me.subject}@example.co.uk", "locale": "en-GB"}
        got = http.json(me, "PUT", "/v1/me/contact", json=contact)
        step.details.append(f"{got['email']}, locale {got['locale']}")
    quote, order_id = _delivered(ctx, me)
    outcome.update(order_id=order_id, paid=quote["total"])
    ret = _request(ctx, me, inbox, _kept_alone(ctx, me), quote, order_id)
    outcome.update(return_id=ret["return_id"], return_number=ret["return_number"],
                   refund=ret["refund"]["total"])  # fmt: skip
    outcome["status"] = _refunded(ctx, me, inbox, ret, order_id)
    return outcome


def _delivered(ctx: DemoContext, me: Actor) -> tuple[dict[str, Any], str]:
    http = ctx.http
    with http.step(STORY, "She buys TC11 + VT02 in one cart and it is delivered", me) as step:
        quote: dict[str, Any] = http.json(me, "POST", "/v1/quotes", json=CART, expect=(201,))
        order = http.json(me, "POST", "/v1/orders", expect=(201,),
                          json={"quote_id": quote["quote_id"], "payment_token": "tok_ok"})  # fmt: skip
        order_id = order["order_id"]
        http.on_wait(f"waiting up to {ctx.delivery_timeout:.0f} s for the sandbox carrier")
        Timeline(http, me, f"/v1/orders/{order_id}/timeline", "order").new(
            until="delivered", timeout=ctx.delivery_timeout, stop=("failed", "cancelled")
        )
        [parcel] = quote["shipments"]
        step.details.append(f"order {order_id}: £{quote['total']} paid, one {parcel['treatment']}"
                            f" parcel from {parcel['warehouse']} (duty and import VAT collected "
                            "at checkout)")  # fmt: skip
        return quote, order_id


def _kept_alone(ctx: DemoContext, me: Actor) -> Decimal:
    """What the TC11 she keeps costs quoted alone (same rate, shipping and tax rules)."""
    with ctx.http.step(STORY, "The TC11 she keeps, quoted alone", me) as step:
        alone = ctx.http.json(me, "POST", "/v1/quotes", expect=(201,),
                              json={"style": "TC11", "region": "UK"})  # fmt: skip
        step.details.append(f"£{alone['total']} ({alone['tax_treatment']}: under £135, no duty)")
        return Decimal(alone["total"])


def _request(
    ctx: DemoContext, me: Actor, inbox: Inbox, kept: Decimal, quote: dict[str, Any], order_id: str
) -> dict[str, Any]:
    http = ctx.http
    body = {"lines": [{"style": "VT02", "quantity": 1, "reason": "changed_mind"}]}
    with http.step(STORY, "She starts a return: free label, refund breakdown", me) as step:
        faulty = {"lines": [{"style": "VT02", "quantity": 1, "reason": "faulty"}]}
        r = http.request(me, "POST", f"/v1/orders/{order_id}/returns", json=faulty,
                         expect=(422,))  # fmt: skip
        step.details.append(f"'faulty' is pointed to warranty: {r.json().get('code')}")
        ret: dict[str, Any] = http.json(
            me, "POST", f"/v1/orders/{order_id}/returns", json=body, expect=(201,)
        )
        refund = ret["refund"]
        wanted = Decimal(quote["total"]) - kept  # the rule: paid minus what is kept, alone
        expect(Decimal(refund["total"]) == wanted,
               f"refund {refund['total']}, the rule gives {wanted}", ret)  # fmt: skip
        [label] = ret["labels"]
        expect(all(c["procedure"] == "returned_goods" for c in label["customs"]),
               "the label does not declare returned goods", label)  # fmt: skip
        step.details.append(f"return {ret['return_number']}: label {label['carrier']} "
                            f"{label['tracking_number']} to {label['warehouse']}, customs "
                            "declared as returned goods")  # fmt: skip
        step.details.append(f"refund £{refund['total']} = goods {refund['goods']} + duty "
                            f"{refund['duty']} + VAT {refund['vat']} (shipping not refunded)")  # fmt: skip
        step.details.append(f"the brand reclaims duty {refund['reclaimable_duty']} and import "
                            f"VAT {refund['reclaimable_import_vat']} from customs")  # fmt: skip
        inbox.expect(["return_requested"], order_id=order_id)
        return ret


def _refunded(ctx: DemoContext, me: Actor, inbox: Inbox, ret: dict[str, Any], order_id: str) -> str:
    http = ctx.http
    with http.step(STORY, "The carrier scans the parcel in: refunded, once", me) as step:
        http.on_wait(f"waiting up to {ctx.delivery_timeout:.0f} s for the scan-in")
        Timeline(http, me, f"/v1/returns/{ret['return_id']}", "return").new(
            until="refunded", timeout=ctx.delivery_timeout, stop=("expired", "cancelled")
        )
        inbox.expect(["return_received", "return_refunded"], order_id=order_id)
        done = http.json(me, "GET", f"/v1/returns/{ret['return_id']}")
        expect(done["amount_refunded"] == ret["refund"]["total"], "refunded a different sum",
               done)  # fmt: skip
        step.details.append(f"£{done['amount_refunded']} back on her card ({done['refund_id']})")
        return str(done["status"])
