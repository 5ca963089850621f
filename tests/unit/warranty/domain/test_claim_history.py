"""What a claim records at each step (claims.py's contract; warranty-policy.md: every decision
says which rule decided it): every transition keeps who moved it, when and why, and every event
carries the moment it happened and the claim's version. Typed out step by step for a repair
journey and for the other endings."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from services.warranty.domain.claim_states import SYSTEM, ClaimStatus, Transition
from services.warranty.domain.claims import Shipment
from services.warranty.domain.errors import ClaimInvalidTransition, RmaNotExpired
from services.warranty.domain.sla import SlaStatus, Timings
from tests.support.warranty.claims import AGENT, CENTRE, COVERED, CUSTOMER, NOT_COVERED, new_claim
from tests.support.warranty.claims import rma_for as make_rma
from tests.support.warranty.dates import NOW

S = ClaimStatus
H = timedelta(hours=1)


def test_a_repair_journey_records_each_step(catalogue) -> None:  # type: ignore[no-untyped-def]
    claim = new_claim()
    claim.approve(COVERED, AGENT, NOW + H)
    rma = make_rma(claim, catalogue, NOW + 2 * H)
    claim.issue_rma(rma, SYSTEM, NOW + 2 * H)
    claim.receive(CENTRE, NOW + 3 * H)
    claim.start_inspection(CENTRE, NOW + 4 * H)
    claim.start_repair({"kind": "repair", "parts": [{"part": "HANDLE-PAIR"}]}, CENTRE, NOW + 5 * H)
    claim.ship_back(Shipment("UPS", "1Z999"), CENTRE, NOW + 6 * H)
    claim.deliver(SYSTEM, NOW + 7 * H)
    claim.close(SYSTEM, NOW + 8 * H)
    assert claim.transitions == [
        Transition(None, S.SUBMITTED, CUSTOMER, NOW, "claim submitted"),
        Transition(S.SUBMITTED, S.APPROVED, AGENT, NOW + H, "covered until 2028-06-14"),
        Transition(S.APPROVED, S.AWAITING_ITEM, SYSTEM, NOW + 2 * H, f"RMA {rma.number} issued"),
        Transition(S.AWAITING_ITEM, S.RECEIVED, CENTRE, NOW + 3 * H,
                   "item arrived at the repair centre"),
        Transition(S.RECEIVED, S.INSPECTING, CENTRE, NOW + 4 * H, "inspection started"),
        Transition(S.INSPECTING, S.REPAIRING, CENTRE, NOW + 5 * H, "repair started"),
        Transition(S.REPAIRING, S.SHIPPED_BACK, CENTRE, NOW + 6 * H, "shipped back"),
        Transition(S.SHIPPED_BACK, S.DELIVERED, SYSTEM, NOW + 7 * H, "delivered to the customer"),
        Transition(S.DELIVERED, S.CLOSED, SYSTEM, NOW + 8 * H, "claim completed"),
    ]  # fmt: skip
    events = claim.pull_events()
    assert [(e.name, e.occurred_at, e.seq, e.status) for e in events] == [
        ("submitted", NOW, 1, S.SUBMITTED),
        ("approved", NOW + H, 2, S.APPROVED),
        ("rma_issued", NOW + 2 * H, 3, S.AWAITING_ITEM),
        ("received", NOW + 3 * H, 4, S.RECEIVED),
        ("inspection_started", NOW + 4 * H, 5, S.INSPECTING),
        ("repair_started", NOW + 5 * H, 6, S.REPAIRING),
        ("shipped_back", NOW + 6 * H, 7, S.SHIPPED_BACK),
        ("delivered", NOW + 7 * H, 8, S.DELIVERED),
        ("closed", NOW + 8 * H, 9, S.CLOSED),
    ]
    assert claim.decision == COVERED
    assert claim.received_at == NOW + 3 * H
    assert (claim.shipment, claim.shipped_at) == (Shipment("UPS", "1Z999"), NOW + 6 * H)
    shipped = events[6]
    assert (shipped.carrier, shipped.tracking_number, shipped.resolution) == (  # type: ignore[attr-defined]
        "UPS",
        "1Z999",
        "repair",
    )


def test_a_rejection_records_the_decision_and_its_reasons() -> None:
    claim = new_claim()
    claim.reject(NOT_COVERED, AGENT, NOW + H)
    assert claim.transitions[-1] == Transition(S.SUBMITTED, S.REJECTED, AGENT, NOW + H,
                                               "coverage ended")  # fmt: skip
    assert claim.decision == NOT_COVERED
    (_, rejected) = claim.pull_events()
    assert (rejected.occurred_at, rejected.rule) == (NOW + H, "expired")  # type: ignore[attr-defined]


def test_an_agents_own_reason_is_kept_over_the_decisions() -> None:
    claim = new_claim()
    claim.approve(COVERED, AGENT, NOW + H, reason="goodwill: long-standing customer")
    assert claim.transitions[-1].reason == "goodwill: long-standing customer"


def test_a_cancellation_records_who_cancelled(catalogue) -> None:  # type: ignore[no-untyped-def]
    claim = new_claim()
    claim.cancel(CUSTOMER, NOW + H)
    assert claim.transitions[-1] == Transition(S.SUBMITTED, S.CANCELLED, CUSTOMER, NOW + H,
                                               "cancelled by customer")  # fmt: skip
    cancelled = claim.pull_events()[-1]
    assert (cancelled.occurred_at, cancelled.cancelled_by) == (NOW + H, "customer")  # type: ignore[attr-defined]
    other = new_claim()
    other.cancel(AGENT, NOW + H, reason="duplicate of clm-0")
    assert other.transitions[-1].reason == "duplicate of clm-0"


def test_a_flag_records_the_review_reasons_and_the_assessment() -> None:
    claim = new_claim()
    reasons = ("The same label was claimed by another customer.",
               "More than 2 claims on this item within 365 days.")  # fmt: skip
    claim.flag(reasons, SYSTEM, NOW + H, assessment=COVERED,
               review_codes=("other_customer", "too_many_claims"))  # fmt: skip
    assert claim.transitions[-1] == Transition(
        S.SUBMITTED, S.NEEDS_REVIEW, SYSTEM, NOW + H,
        "The same label was claimed by another customer. More than 2 claims on this item within "
        "365 days.",
    )  # fmt: skip
    assert claim.review_reasons == reasons
    assert claim.decision == COVERED
    flagged = claim.pull_events()[-1]
    assert (flagged.occurred_at, flagged.review_reasons) == (  # type: ignore[attr-defined]
        NOW + H,
        ("other_customer", "too_many_claims"),
    )


def test_refusals_name_the_claim_the_action_and_what_allows_it() -> None:
    claim = new_claim()
    with pytest.raises(ClaimInvalidTransition) as refused:
        claim.deliver(SYSTEM, NOW + H)
    assert refused.value.details == {
        "claim_id": "clm-1",
        "status": "submitted",
        "action": "deliver",
        "allowed_from": ["shipped_back"],
    }
    assert "cannot deliver" in str(refused.value)
    with pytest.raises(ClaimInvalidTransition) as refused:
        claim.approve(NOT_COVERED, AGENT, NOW + H)
    assert refused.value.details == {"claim_id": "clm-1", "action": "approve", "rule": "expired"}


def test_an_rma_still_valid_cannot_lapse(catalogue) -> None:  # type: ignore[no-untyped-def]
    claim = new_claim()
    claim.approve(COVERED, AGENT, NOW)
    rma = make_rma(claim, catalogue, NOW)
    claim.issue_rma(rma, SYSTEM, NOW)
    with pytest.raises(RmaNotExpired) as refused:
        claim.lapse(NOW + H)
    assert refused.value.details == {"claim_id": "clm-1", "expires_at": rma.expires_at.isoformat()}
    later = rma.expires_at + H
    claim.lapse(later)
    assert claim.transitions[-1] == Transition(S.AWAITING_ITEM, S.LAPSED, SYSTEM, later,
                                               "RMA expired before the item arrived")  # fmt: skip
    lapsed = claim.pull_events()[-1]
    assert (lapsed.occurred_at, lapsed.rma_number) == (later, rma.number)  # type: ignore[attr-defined]


def test_store_credit_and_the_figures_its_event_carries(catalogue) -> None:  # type: ignore[no-untyped-def]
    claim = new_claim()
    claim.approve(COVERED, AGENT, NOW)
    claim.issue_rma(make_rma(claim, catalogue, NOW), SYSTEM, NOW)
    claim.receive(CENTRE, NOW + H)
    claim.start_inspection(CENTRE, NOW + 2 * H)
    credit = {"kind": "store_credit", "credit_amount": "298.00", "credit_currency": "USD"}
    claim.issue_store_credit(credit, AGENT, NOW + 3 * H)
    assert claim.resolution == credit
    assert claim.transitions[-1] == Transition(S.INSPECTING, S.CLOSED, AGENT, NOW + 3 * H,
                                               "store credit issued")  # fmt: skip
    issued = claim.pull_events()[-1]
    assert (issued.occurred_at, issued.amount, issued.currency) == (  # type: ignore[attr-defined]
        NOW + 3 * H,
        "298.00",
        "USD",
    )


def test_the_repair_centre_steps_carry_the_rma_parts_and_the_turnaround(catalogue) -> None:  # type: ignore[no-untyped-def]
    quick = Timings(at_risk_after=timedelta(hours=2), breach_after=timedelta(hours=4))
    claim = new_claim()
    claim.approve(COVERED, AGENT, NOW)
    rma = make_rma(claim, catalogue, NOW)
    claim.issue_rma(rma, SYSTEM, NOW)
    claim.pull_events()
    claim.receive(CENTRE, NOW + H, quick)
    claim.start_inspection(CENTRE, NOW + H, quick)
    parts = [{"part": "HANDLE-PAIR", "colour": "brown"}]
    claim.start_repair({"kind": "repair", "parts": parts}, CENTRE, NOW + H, quick)
    received, _, started = claim.pull_events()
    assert (received.rma_number, received.promised_by) == (rma.number, NOW + 5 * H)  # type: ignore[attr-defined]
    assert (started.parts, started.components) == (tuple(parts), ("handles", "piping"))  # type: ignore[attr-defined]
    assert started.promised_by == NOW + 5 * H  # type: ignore[attr-defined]
    assert claim.next_timer_at(quick) == NOW + 3 * H
    assert claim.sla(NOW + 4 * H, quick) is SlaStatus.AT_RISK
    assert claim.check_timers(NOW + 6 * H, quick) == ["sla_at_risk", "sla_breached"]
    at_risk, breached = claim.pull_events()
    assert (at_risk.occurred_at, breached.occurred_at) == (NOW + 6 * H, NOW + 6 * H)
    claim.ship_back(Shipment("UPS", "1Z9"), CENTRE, NOW + 7 * H, quick)
    assert claim.sla(NOW + 8 * H, quick) is SlaStatus.MISSED
    assert claim.pull_events()[-1].sla == "missed"  # type: ignore[attr-defined]


def test_the_rma_reminder_is_raised_when_due(catalogue) -> None:  # type: ignore[no-untyped-def]
    claim = new_claim()
    claim.approve(COVERED, AGENT, NOW)
    rma = make_rma(claim, catalogue, NOW)
    claim.issue_rma(rma, SYSTEM, NOW)
    claim.pull_events()
    assert claim.check_timers(rma.reminder_due_at) == ["rma_reminder"]
    (reminder,) = claim.pull_events()
    assert (reminder.occurred_at, reminder.rma_number) == (rma.reminder_due_at, rma.number)  # type: ignore[attr-defined]


def test_a_replacement_records_the_style_and_the_reservation(catalogue) -> None:  # type: ignore[no-untyped-def]
    claim = new_claim()
    claim.approve(COVERED, AGENT, NOW)
    claim.issue_rma(make_rma(claim, catalogue, NOW), SYSTEM, NOW)
    claim.receive(CENTRE, NOW + H)
    claim.start_inspection(CENTRE, NOW + H)
    claim.pull_events()
    plan = {"kind": "replace_same", "replacement_style": "VT02", "reservation_id": "res-9"}
    claim.start_replacement(plan, AGENT, NOW + 2 * H)
    assert claim.resolution == plan
    assert claim.transitions[-1] == Transition(S.INSPECTING, S.REPLACING, AGENT, NOW + 2 * H,
                                               "replacement started")  # fmt: skip
    (started,) = claim.pull_events()
    assert (started.occurred_at, started.replacement_style, started.reservation_id) == (  # type: ignore[attr-defined]
        NOW + 2 * H,
        "VT02",
        "res-9",
    )


def test_a_submitted_claim_keeps_what_the_customer_said() -> None:
    claim = new_claim()
    assert (claim.cause, claim.submitted_at, claim.description) == ("manufacturing_defect", NOW, "")
    (submitted,) = claim.pull_events()
    assert (submitted.cause, submitted.components) == (  # type: ignore[attr-defined]
        "manufacturing_defect",
        ("handles", "piping"),
    )


def test_a_decision_of_several_sentences_reads_as_sentences() -> None:
    """The policy's reasons are sentences with their full stops: the transition's reason (the
    customer's and the agent's timeline) joins them with a space, not "; " after each stop (a
    flag's review reasons too: test_a_flag_records_the_review_reasons_and_the_assessment)."""
    decision = replace(COVERED, reasons=("Made in week 9 of 2025.", "Covered until 2027-02-28."))
    claim = new_claim()
    claim.approve(decision, AGENT, NOW + H)
    assert claim.transitions[-1].reason == "Made in week 9 of 2025. Covered until 2027-02-28."
