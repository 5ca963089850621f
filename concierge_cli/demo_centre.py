"""Story 1 at the repair centre: receipt, inspection, the repair-or-replace plan it returns,
and the way back to the customer; each step checked against the claim and the customer's inbox."""

from __future__ import annotations

from typing import Any

from concierge_cli.demo_http import Actor, DemoContext, StepFailed, expect
from concierge_cli.demo_watch import Inbox, Timeline

CENTRE = Actor("UK repair centre", "repair-centre-uk", "agent")
SHIPMENT = {"carrier": "Royal Mail", "tracking_number": "RM123456785GB"}

# (action, body, title, status it must reach, messages the customer must get)
CentreStep = tuple[str, dict[str, Any] | None, str, str, list[str]]
# fmt: off
RECEIPT: CentreStep = ("receipt", None, "Repair centre records the bag's arrival", "received",
                       ["claim_received"])
INSPECT: CentreStep = ("inspection", None, "Repair centre inspects: repair or replace?",
                       "inspecting", [])
# The plan follows the published resolution order and live stock: the UK centre starts with two
# matching VT02 handle pairs, so from the third run on one stack the plan is no longer a repair.
RESOLVE: dict[str, CentreStep] = {
    "repair": ("repair", None, "Repair with matching parts", "repairing",
               ["claim_repair_started"]),
    "replace_same": ("replacement", {}, "Replace with the same style (no parts left)",
                     "replacing", ["claim_replacement_started"]),
    "replace_other": ("replacement", {}, "Replace with another style (no parts left)",
                      "replacing", ["claim_replacement_started"]),
    "store_credit": ("replacement", {"store_credit": True},
                     "Settle with store credit (no parts or stock left)", "closed",
                     ["claim_store_credit"]),
}
RETURN: list[CentreStep] = [
    ("shipment", SHIPMENT, "Shipped back with tracking", "shipped_back",
     ["claim_shipped_back", "claim_thank_you"]),
    ("delivery", None, "Delivered to the customer", "closed", ["claim_delivered"]),
]
# fmt: on


def _centre_step(
    ctx: DemoContext, claim_id: str, spec: CentreStep, timeline: Timeline, inbox: Inbox
) -> dict[str, Any]:
    action, body, title, status, kinds = spec
    with ctx.http.step("Story 1: handbag, no receipt", title, CENTRE) as step:
        claim: dict[str, Any] = ctx.http.json(
            CENTRE, "POST", f"/v1/claims/{claim_id}/{action}", json=body
        )
        expect(claim["status"] == status,
               f"claim is '{claim['status']}' after {action}, expected '{status}'", claim)  # fmt: skip
        timeline.new()
        inbox.expect(kinds, claim_id=claim_id)
        step.details.extend(_centre_details(action, claim))
        step.facts["status"] = claim["status"]
        return claim


def repair_centre(
    ctx: DemoContext, claim_id: str, timeline: Timeline, inbox: Inbox
) -> dict[str, Any]:
    _centre_step(ctx, claim_id, RECEIPT, timeline, inbox)
    inspected = _centre_step(ctx, claim_id, INSPECT, timeline, inbox)
    plan = inspected["resolution"] or {}
    if plan.get("kind") not in RESOLVE:
        raise StepFailed(f"unknown repair-or-replace plan {plan.get('kind')!r}", body=plan)
    action, body, title, status, kinds = RESOLVE[plan["kind"]]
    if plan["kind"] == "replace_other":
        options = plan.get("options") or [{}]
        body = {"style_code": plan.get("replacement_style") or options[0].get("style")}
    if plan["kind"] == "store_credit" and not plan.get("credit_amount"):
        # The style has no price in her region: the agent credits what it costs her there.
        style, region = inspected["item"]["style_code"], inspected["region"]
        offer = ctx.http.json(
            CENTRE, "GET", f"/v1/products/{style}/offers", params={"region": region}
        )
        body = {"store_credit": True, "credit_amount": offer["price"]}
    claim = _centre_step(ctx, claim_id, (action, body, title, status, kinds), timeline, inbox)
    for spec in RETURN if claim["status"] != "closed" else []:
        claim = _centre_step(ctx, claim_id, spec, timeline, inbox)
    return claim


def _centre_details(action: str, claim: dict[str, Any]) -> list[str]:
    sla, res, item = claim["sla"], claim.get("resolution") or {}, claim["item"]
    if action == "receipt":
        return [f"one-week clock started: at risk {sla['at_risk_at'][:10]}, "
                f"due back by {sla['breached_at'][:10]}"]  # fmt: skip
    parts = res.get("parts") or []
    names = ", ".join(f"{p['part']} x{p['quantity']} ({p['style']}, {p['colour']})"
                      for p in parts)  # fmt: skip
    if action == "inspection":
        lines = [f"plan: {res.get('kind')} {names}".rstrip() + f" ({'; '.join(res['reasons'])})"]
        if res.get("kind") != "repair":
            lines.append("no matching handles left at the UK centre (two on a fresh stack; "
                         "each run uses a pair): following the plan instead")  # fmt: skip
        return lines
    if action == "repair":
        expect(res.get("kind") == "repair" and bool(parts), "the plan is not a repair", res)
        for part in parts:
            expect(part["style"] == item["style_code"],
                   f"part {part['part']} is for {part['style']}, not {item['style_code']}", res)  # fmt: skip
        return [f"repaired with matching parts: {names}"]
    if action == "shipment":
        ship = claim["shipment"]
        return [f"{ship['carrier']} {ship['tracking_number']}; turnaround {sla['status']}"]
    if action == "replacement":
        if res.get("kind") == "store_credit":
            amount = res.get("credit_amount") or "no amount set"
            return [f"store credit: {amount} {res.get('credit_currency') or ''}".rstrip()]
        return [f"{res.get('kind')}: style {res.get('replacement_style') or item['style_code']}"]
    return [f"claim {claim['status']}; turnaround {sla['status']}"]
