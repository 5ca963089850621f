"""The claim aggregate: the story's transitions, the events they raise, and the timers."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.warranty.adapters.wire import WarrantyWire
from services.warranty.domain.claims import SYSTEM, Claim, ClaimItem, ClaimStatus, Shipment
from services.warranty.domain.errors import ClaimInvalidTransition, RmaNotExpired
from tests.support.event_scan import strings, text_problems
from tests.support.warranty.claims import (
    AGENT,
    CENTRE,
    COVERED,
    CUSTOMER,
    NOT_COVERED,
    new_claim,
    rma_for,
)
from tests.support.warranty.dates import NOW

S = ClaimStatus


def walk_to(claim: Claim, target: ClaimStatus, catalogue) -> Claim:
    t = NOW
    steps = {
        S.APPROVED: lambda: claim.approve(COVERED, SYSTEM, t),
        S.AWAITING_ITEM: lambda: claim.issue_rma(rma_for(claim, catalogue), SYSTEM, t),
        S.RECEIVED: lambda: claim.receive(CENTRE, t + timedelta(days=3)),
        S.INSPECTING: lambda: claim.start_inspection(CENTRE, t + timedelta(days=3, hours=1)),
        S.REPAIRING: lambda: claim.start_repair({"kind": "repair"}, CENTRE, t + timedelta(days=4)),
        S.SHIPPED_BACK: lambda: claim.ship_back(
            Shipment("UPS", "1Z999"), CENTRE, t + timedelta(days=8)
        ),
        S.DELIVERED: lambda: claim.deliver(SYSTEM, t + timedelta(days=10)),
        S.CLOSED: lambda: claim.close(SYSTEM, t + timedelta(days=10)),
    }
    for status, step in steps.items():
        if claim.status == target:
            break
        step()
        assert claim.status == status
    return claim


def test_story_happy_path_records_every_step(catalogue):
    claim = walk_to(new_claim(), S.CLOSED, catalogue)
    assert [t.to_status for t in claim.transitions] == [
        S.SUBMITTED, S.APPROVED, S.AWAITING_ITEM, S.RECEIVED, S.INSPECTING, S.REPAIRING,
        S.SHIPPED_BACK, S.DELIVERED, S.CLOSED,
    ]  # fmt: skip
    names = [e.name for e in claim.pull_events()]
    assert names == [
        "submitted", "approved", "rma_issued", "received", "inspection_started", "repair_started",
        "shipped_back", "delivered", "closed",
    ]  # fmt: skip
    assert claim.events == [] and not claim.is_open
    assert claim.transitions[3].actor == CENTRE
    assert claim.shipment.tracking_number == "1Z999"


def test_published_events_carry_ids_and_business_facts_only(catalogue):
    """What leaves the service for a claim's events (the wire output, not the domain objects):
    subjects from the contract registry, the customer as an id, no personal data; the repair
    centre's street address (the brand's own) only in `rma_issued`, where the form needs it."""
    claim = walk_to(new_claim(), S.AWAITING_ITEM, catalogue)
    published = [WarrantyWire(catalogue).to_cloud_event(e) for e in claim.pull_events()]
    assert [p.type for p in published] == [
        "warranty.claim.submitted", "warranty.claim.approved", "warranty.claim.rma_issued",
    ]  # fmt: skip
    payloads = [p.model_dump(mode="json")["data"] for p in published]
    assert payloads[0]["customer_id"] == "cust-1"
    assert payloads[2]["rma_number"].startswith("RMA-20261123-")
    for event_type, payload in zip([p.type for p in published], payloads, strict=True):
        problems = [
            problem for path, text in strings(payload) for problem in text_problems(path, text)
        ]
        assert problems == [], (event_type, problems)
        with_address = {k for k, v in payload.items() if "Secaucus" in str(v)}
        expected = {"repair_centre_address"} if event_type.endswith("rma_issued") else set()
        assert with_address == expected, event_type


def test_review_then_reject():
    claim = new_claim()
    claim.flag(("The same label was claimed by another customer.",), SYSTEM, NOW)
    assert claim.status == S.NEEDS_REVIEW
    claim.reject(NOT_COVERED, AGENT, NOW, "agent: duplicate")
    assert claim.status == S.REJECTED and claim.decision == NOT_COVERED
    assert [e.name for e in claim.events] == ["submitted", "flagged", "rejected"]
    assert claim.transitions[-1].reason == "agent: duplicate"


def test_review_then_approve():
    claim = new_claim()
    claim.flag(("too many",), SYSTEM, NOW)
    claim.approve(COVERED, AGENT, NOW)
    assert claim.status == S.APPROVED


@pytest.mark.parametrize("status", [S.SUBMITTED, S.APPROVED, S.AWAITING_ITEM])
def test_cancel_allowed(status, catalogue):
    claim = walk_to(new_claim(), status, catalogue)
    claim.cancel(CUSTOMER, NOW)
    assert claim.status == S.CANCELLED and claim.events[-1].name == "cancelled"


def test_cancel_from_review():
    claim = new_claim()
    claim.flag(("x",), SYSTEM, NOW)
    claim.cancel(AGENT, NOW)
    assert claim.status == S.CANCELLED


# Every (status, action) pair, from the spec: test_claim_state_table.py.


def test_approve_needs_a_covered_decision():
    claim = new_claim()
    with pytest.raises(ClaimInvalidTransition):
        claim.approve(NOT_COVERED, SYSTEM, NOW)
    with pytest.raises(ClaimInvalidTransition):
        claim.reject(COVERED, SYSTEM, NOW)
    assert claim.status == S.SUBMITTED and len(claim.events) == 1


def test_rma_reminder_then_lapse(catalogue):
    claim = walk_to(new_claim(), S.AWAITING_ITEM, catalogue)
    claim.pull_events()
    assert claim.check_timers(NOW + timedelta(days=24)) == []
    assert claim.check_timers(NOW + timedelta(days=25)) == ["rma_reminder"]
    assert claim.check_timers(NOW + timedelta(days=26)) == []  # raised once
    assert claim.check_timers(NOW + timedelta(days=30)) == ["lapsed"]
    assert claim.status == S.LAPSED and not claim.is_open


def test_lapse_refused_while_rma_valid(catalogue):
    claim = walk_to(new_claim(), S.AWAITING_ITEM, catalogue)
    with pytest.raises(RmaNotExpired) as exc:
        claim.lapse(NOW + timedelta(days=29))
    assert exc.value.code == "rma_not_expired"
    assert claim.status == S.AWAITING_ITEM


def test_sla_alarms_raised_once_each(catalogue):
    claim = walk_to(new_claim(), S.REPAIRING, catalogue)
    received = claim.received_at
    claim.pull_events()
    assert claim.check_timers(received + timedelta(days=4, hours=23)) == []
    assert claim.check_timers(received + timedelta(days=5)) == ["sla_at_risk"]
    assert claim.check_timers(received + timedelta(days=6)) == []
    assert claim.check_timers(received + timedelta(days=7)) == ["sla_breached"]
    assert claim.check_timers(received + timedelta(days=9)) == []
    assert claim.status == S.REPAIRING


def test_breach_found_late_raises_both(catalogue):
    claim = walk_to(new_claim(), S.RECEIVED, catalogue)
    claim.pull_events()
    assert claim.check_timers(claim.received_at + timedelta(days=8)) == [
        "sla_at_risk",
        "sla_breached",
    ]


def test_no_sla_alarm_after_shipping(catalogue):
    claim = walk_to(new_claim(), S.SHIPPED_BACK, catalogue)
    claim.pull_events()
    assert claim.check_timers(NOW + timedelta(days=30)) == []
    assert claim.events == []


def test_store_credit_closes_the_claim(catalogue):
    claim = walk_to(new_claim(), S.INSPECTING, catalogue)
    claim.issue_store_credit({"kind": "store_credit", "credit_amount": "298.00"}, AGENT, NOW)
    assert claim.status == S.CLOSED and claim.events[-1].name == "store_credit_issued"


def test_order_line_item_key():
    item = ClaimItem("handbag", order_line_id="ord-1:2")
    assert item.key == "order_line:ord-1:2"
    assert ClaimItem("handbag", label_code="SD4129").key == "label:SD4129"


def test_next_timer_at_follows_the_claim(catalogue):
    claim = new_claim()
    assert claim.next_timer_at() is None
    walk_to(claim, S.AWAITING_ITEM, catalogue)
    assert claim.next_timer_at() == claim.rma.reminder_due_at
    claim.check_timers(claim.rma.reminder_due_at)
    assert claim.next_timer_at() == claim.rma.expires_at
    claim = walk_to(new_claim(), S.RECEIVED, catalogue)
    assert claim.next_timer_at() == claim.received_at + timedelta(days=5)
    claim.check_timers(claim.received_at + timedelta(days=5))
    assert claim.next_timer_at() == claim.received_at + timedelta(days=7)
    claim.check_timers(claim.received_at + timedelta(days=7))
    assert claim.next_timer_at() is None


def test_allowed_actions_and_ensure_can(catalogue):
    claim = walk_to(new_claim(), S.INSPECTING, catalogue)
    assert claim.allowed_actions() == ["start_repair", "start_replacement", "issue_store_credit"]
    with pytest.raises(ClaimInvalidTransition):
        claim.ensure_can("ship_back")
