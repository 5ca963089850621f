"""Story 1, the gift handbag with no receipt, played through the public API as the support agent,
the customer's app and the repair centre would."""

from __future__ import annotations

from typing import Any

from concierge_cli.demo_centre import CENTRE, SHIPMENT, repair_centre
from concierge_cli.demo_http import Actor, DemoContext, StepFailed, expect
from concierge_cli.demo_watch import Inbox, Timeline, check_pdf, oldest_first

STORY = "Story 1: handbag, no receipt"
LABEL = "SD-2551-VT02-00120Z"
LABEL_AS_READ = "5D-2551-VT02-0012OZ"  # 5 for S, O for 0: read aloud over the phone
PUBLIC = Actor("anyone (public page)", "", "public")
AGENT = Actor("support agent", "agent-support-demo", "agent")


def play(ctx: DemoContext) -> dict[str, Any]:
    http = ctx.http
    customer = Actor("customer (app)", f"demo-{ctx.run_id}-margaret", "customer")
    outcome: dict[str, Any] = {"customer_id": customer.subject, "status": None}
    ctx.outcomes["story1"] = outcome
    inbox = Inbox(http, customer, ctx.timeout)
    _policy(ctx)
    _decode_and_check(ctx)
    with http.step(STORY, "Customer's contact details registered", customer) as step:
        contact = {"name": "Margaret", "email": f"{customer.subject}@example.co.uk",
                   "locale": "en-GB"}  # fmt: skip
        got = http.json(customer, "PUT", "/v1/me/contact", json=contact)
        expect(got["locale"] == "en-GB", "contact not stored as en-GB", got)
        step.details.append(f"{got['email']}, locale {got['locale']}, {got['time_zone']}")
    claim, timeline = _open_claim(ctx, customer, inbox)
    claim_id, rma = claim["id"], claim["rma"]["number"]
    outcome.update(claim_id=claim_id, rma=rma, status=claim["status"])
    with http.step(STORY, "Customer downloads the RMA form", customer) as step:
        r = http.request(customer, "GET", f"/v1/claims/{claim_id}/rma.pdf")
        step.details.append(check_pdf(r.content, r.headers.get("content-type", ""), rma, "RMA"))
        ship_to = claim["rma"]["ship_to"]
        step.details.append(f"send it to {ship_to['name']}, {ship_to['address']}")
    claim = repair_centre(ctx, claim_id, timeline, inbox)
    resolution = claim["resolution"]["kind"]
    outcome.update(status=claim["status"], resolution=resolution)
    if resolution == "store_credit":  # nothing goes back in a box: no card to print
        outcome["messages"] = [i["kind"] for i in inbox.items]
        return outcome
    _thank_you_and_inbox(ctx, customer, inbox, claim_id)
    outcome["messages"] = [i["kind"] for i in inbox.items]
    return outcome


def _policy(ctx: DemoContext) -> None:
    with ctx.http.step(STORY, "The published warranty policy (public)", PUBLIC) as step:
        policy = ctx.http.json(None, "GET", "/v1/warranty/policy")
        current = next(v for v in policy["versions"] if v["in_force_until"] is None)
        step.details.append(
            f"policy {current['version']}: handbags {current['coverage_months']['handbag']} "
            f"months; without a receipt coverage starts {current['shelf_allowance_months']} "
            f"months after manufacture; repairs turned round in {policy['turnaround_days']} days"
        )


def _decode_and_check(ctx: DemoContext) -> None:
    http = ctx.http
    with http.step(STORY, f"Agent decodes the label read aloud: {LABEL_AS_READ}", AGENT) as step:
        label = http.json(AGENT, "POST", "/v1/labels/decode", json={"code": LABEL_AS_READ})
        expect(label["code"] == LABEL, f"decoded as {label['code']}, expected {LABEL}", label)
        changes = ", ".join(f"'{c['read']}'->'{c['corrected']}' ({c['part']})"
                            for c in label["correction"]["changes"])  # fmt: skip
        expect(bool(changes), "the look-alike characters were not corrected", label)
        step.details.append(f"corrected to {label['code']}: {changes}")
        step.details.append(
            f"made {label['manufacture_date']} (week {label['week']}) at "
            f"{label['factory']['name']}; {label['product']['name']}"
        )
        step.facts.update(code=label["code"], manufacture_date=label["manufacture_date"])
    with http.step(STORY, "Agent checks coverage: UK customer, no receipt", AGENT) as step:
        cover = http.json(AGENT, "POST", "/v1/warranty/check",
                          json={"region": "UK", "label_code": LABEL})  # fmt: skip
        expect(cover["covered"] is True, "the bag is not covered", cover)
        step.details.append(
            f"covered {cover['coverage_start']} to {cover['coverage_end']} "
            f"(rule {cover['rule']}, policy {cover['policy_version']})"
        )
        step.facts.update(covered=True, coverage_end=cover["coverage_end"])


def _open_claim(ctx: DemoContext, customer: Actor, inbox: Inbox) -> tuple[dict[str, Any], Timeline]:
    http = ctx.http
    body = {"region": "UK", "label_code": LABEL, "components": ["handles", "piping"],
            "description": "The piping on both handles broke after 11 months; a gift, no receipt.",
            "customer_id": customer.subject}  # fmt: skip
    with http.step(STORY, "Agent opens a claim for the broken handle piping", AGENT) as step:
        r = http.request(AGENT, "POST", "/v1/claims", json=body, expect=(201, 409))
        if r.status_code == 409:
            _withdraw_leftover(ctx, r.json())
            r = http.request(AGENT, "POST", "/v1/claims", json=body, expect=(201,))
        claim = r.json()
        timeline = Timeline(http, AGENT, f"/v1/claims/{claim['id']}/timeline", "claim")
        timeline.new()
        if claim["status"] == "needs_review":
            inbox.expect(["claim_submitted", "claim_needs_review"], claim_id=claim["id"])
            step.details.append("flagged for review: " + "; ".join(claim["review_reasons"]))
        else:
            inbox.expect(["claim_submitted", "claim_approved", "claim_rma_issued"],
                         claim_id=claim["id"])  # fmt: skip
            _rma_issued(ctx, claim)
        step.facts.update(claim_id=claim["id"], status=claim["status"])
    if claim["status"] == "needs_review":
        claim = _review(ctx, claim["id"], timeline, inbox)
    return claim, timeline


def _rma_issued(ctx: DemoContext, claim: dict[str, Any]) -> None:
    expect(claim["status"] == "awaiting_item" and claim["rma"] is not None,
           f"claim is '{claim['status']}', expected 'awaiting_item' with an RMA", claim)  # fmt: skip
    rma = claim["rma"]
    ctx.http.current.details.append(
        f"claim {claim['id']}: RMA {rma['number']}, valid until {rma['expires_at'][:10]}, "
        f"form at {rma['form_path']}"
    )


def _withdraw_leftover(ctx: DemoContext, problem: dict[str, Any]) -> None:
    """An interrupted earlier demo run can leave this label's claim open. If it belongs to a demo
    customer, withdraw it (or, once at the repair centre, finish it), so demos can run again."""
    claim_id = (problem.get("details") or {}).get("claim_id")
    if problem.get("code") != "claim_already_open" or not claim_id:
        raise StepFailed("opening the claim was refused", body=problem)
    old = ctx.http.json(AGENT, "GET", f"/v1/claims/{claim_id}")
    if not old["customer_id"].startswith("demo-"):
        raise StepFailed(f"label {LABEL} already has open claim {claim_id} "
                         f"({old['status']}, customer {old['customer_id']})", body=problem)  # fmt: skip
    for _ in range(6):
        move = _leftover_move(old)
        if move is None:
            break
        actor, path, body = move
        old = ctx.http.json(actor, "POST", f"/v1/claims/{claim_id}/{path}", json=body)
    expect(old["status"] in ("cancelled", "closed"),
           f"could not clear claim {claim_id} left by an earlier run ({old['status']})", old)  # fmt: skip
    ctx.http.current.details.append(
        f"{claim_id}, left open by an earlier demo run, is now {old['status']}"
    )


def _leftover_move(claim: dict[str, Any]) -> tuple[Actor, str, dict[str, Any] | None] | None:
    actions, plan = claim["allowed_actions"], (claim.get("resolution") or {}).get("kind")
    if "cancel" in actions:
        return AGENT, "cancel", {"reason": "left open by an interrupted demo run"}
    if "start_repair" in actions and plan == "repair":
        return CENTRE, "repair", None
    if "issue_store_credit" in actions:  # no parts left for a repair: settle it
        return CENTRE, "replacement", {"store_credit": True}
    for action, path, body in (("start_inspection", "inspection", None),
                               ("ship_back", "shipment", SHIPMENT), ("deliver", "delivery", None)):  # fmt: skip
        if action in actions:
            return CENTRE, path, body
    return None


def _review(ctx: DemoContext, claim_id: str, timeline: Timeline, inbox: Inbox) -> dict[str, Any]:
    with ctx.http.step(STORY, "Agent reviews the flagged claim and approves it", AGENT) as step:
        decision = {"approve": True, "reason": "Label read with the customer on the phone; "
                    "the earlier claim on this label was a previous demo run."}  # fmt: skip
        claim: dict[str, Any] = ctx.http.json(
            AGENT, "POST", f"/v1/claims/{claim_id}/decision", json=decision
        )
        timeline.new()
        inbox.expect(["claim_approved", "claim_rma_issued"], claim_id=claim_id)
        _rma_issued(ctx, claim)
        step.facts["status"] = claim["status"]
        return claim


def _thank_you_and_inbox(ctx: DemoContext, customer: Actor, inbox: Inbox, claim_id: str) -> None:
    http = ctx.http
    with http.step(STORY, "Repair centre prints the thank-you card for the box", CENTRE) as step:
        r = http.request(CENTRE, "GET", f"/v1/claims/{claim_id}/thank-you-card.pdf")
        content_type = r.headers.get("content-type", "")
        step.details.append(check_pdf(r.content, content_type, "Thank you, Margaret",
                                      "thank-you card", strict=False))  # fmt: skip
    with http.step(STORY, "Customer's in-app notifications", customer) as step:
        page = http.json(customer, "GET", "/v1/me/notifications", params={"limit": 100})
        mine = oldest_first([i for i in page["items"] if i.get("claim_id") == claim_id])
        expect([i["id"] for i in mine] == [i["id"] for i in inbox.items],
               "the inbox does not match the messages seen step by step",
               {"inbox": [i["kind"] for i in mine], "seen": [i["kind"] for i in inbox.items]})  # fmt: skip
        step.messages.extend(f"{i['kind']}: {i['title']}" for i in mine)
        log = http.json(customer, "GET", "/v1/me/messages", params={"limit": 100})
        channels: dict[str, int] = {}
        for message in log["items"]:
            channels[message["channel"]] = channels.get(message["channel"], 0) + 1
        step.details.append(f"{len(mine)} in-app messages; delivery log by channel: {channels}")
