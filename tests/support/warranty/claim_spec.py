"""The claim lifecycle spec, written out from the published policy: every (status, action) pair.

Used by tests/unit/warranty/domain/test_claim_state_table.py and by the table mutation test
(tests/mutation), which runs the same checks against mutated transition tables.

The expected outcomes below are the spec (warranty-policy.md: decision, RMA valid 30 days then
lapse, item received, inspection, repair or replace or store credit, shipped back, delivered),
typed out by hand. They are deliberately NOT derived from `claim_states.TRANSITIONS`, so a
widened or narrowed table in the code fails here. Each row names all fourteen actions: the
allowed ones with the status they lead to, the rest as refused.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import timedelta

import pytest

from services.warranty.domain import claim_states
from services.warranty.domain.claims import SYSTEM, Claim, ClaimStatus, Shipment
from services.warranty.domain.errors import ClaimInvalidTransition
from shared.actor import Actor

from .claims import AGENT, CENTRE, COVERED, CUSTOMER, NOT_COVERED, new_claim, rma_for
from .dates import NOW

S = ClaimStatus

ACTIONS = (
    "approve", "reject", "flag", "issue_rma", "receive", "start_inspection", "start_repair",
    "start_replacement", "issue_store_credit", "ship_back", "deliver", "close", "lapse", "cancel",
)  # fmt: skip

# status -> (allowed: action -> next status, refused actions)
SPEC: dict[ClaimStatus, tuple[dict[str, ClaimStatus], tuple[str, ...]]] = {
    S.SUBMITTED: (
        {"approve": S.APPROVED, "reject": S.REJECTED, "flag": S.NEEDS_REVIEW,
         "cancel": S.CANCELLED},
        ("issue_rma", "receive", "start_inspection", "start_repair", "start_replacement",
         "issue_store_credit", "ship_back", "deliver", "close", "lapse"),
    ),
    # An agent decides a flagged claim; it cannot be flagged twice.
    S.NEEDS_REVIEW: (
        {"approve": S.APPROVED, "reject": S.REJECTED, "cancel": S.CANCELLED},
        ("flag", "issue_rma", "receive", "start_inspection", "start_repair",
         "start_replacement", "issue_store_credit", "ship_back", "deliver", "close", "lapse"),
    ),
    S.APPROVED: (
        {"issue_rma": S.AWAITING_ITEM, "cancel": S.CANCELLED},
        ("approve", "reject", "flag", "receive", "start_inspection", "start_repair",
         "start_replacement", "issue_store_credit", "ship_back", "deliver", "close", "lapse"),
    ),
    # A rejection is final: no re-approval, no RMA.
    S.REJECTED: (
        {},
        ("approve", "reject", "flag", "issue_rma", "receive", "start_inspection", "start_repair",
         "start_replacement", "issue_store_credit", "ship_back", "deliver", "close", "lapse",
         "cancel"),
    ),
    # The RMA is out: the item arrives, or the RMA lapses after 30 days, or the customer cancels.
    S.AWAITING_ITEM: (
        {"receive": S.RECEIVED, "lapse": S.LAPSED, "cancel": S.CANCELLED},
        ("approve", "reject", "flag", "issue_rma", "start_inspection", "start_repair",
         "start_replacement", "issue_store_credit", "ship_back", "deliver", "close"),
    ),
    # Once the item is at the repair centre it is no longer cancellable nor able to lapse.
    S.RECEIVED: (
        {"start_inspection": S.INSPECTING},
        ("approve", "reject", "flag", "issue_rma", "receive", "start_repair",
         "start_replacement", "issue_store_credit", "ship_back", "deliver", "close", "lapse",
         "cancel"),
    ),
    # Resolution order of the policy: repair, else replace, else store credit (which ends it).
    S.INSPECTING: (
        {"start_repair": S.REPAIRING, "start_replacement": S.REPLACING,
         "issue_store_credit": S.CLOSED},
        ("approve", "reject", "flag", "issue_rma", "receive", "start_inspection", "ship_back",
         "deliver", "close", "lapse", "cancel"),
    ),
    S.REPAIRING: (
        {"ship_back": S.SHIPPED_BACK},
        ("approve", "reject", "flag", "issue_rma", "receive", "start_inspection",
         "start_repair", "start_replacement", "issue_store_credit", "deliver", "close", "lapse",
         "cancel"),
    ),
    # A replacement is shipped back like a repaired item.
    S.REPLACING: (
        {"ship_back": S.SHIPPED_BACK},
        ("approve", "reject", "flag", "issue_rma", "receive", "start_inspection",
         "start_repair", "start_replacement", "issue_store_credit", "deliver", "close", "lapse",
         "cancel"),
    ),
    S.SHIPPED_BACK: (
        {"deliver": S.DELIVERED},
        ("approve", "reject", "flag", "issue_rma", "receive", "start_inspection",
         "start_repair", "start_replacement", "issue_store_credit", "ship_back", "close",
         "lapse", "cancel"),
    ),
    # Closed only after delivery.
    S.DELIVERED: (
        {"close": S.CLOSED},
        ("approve", "reject", "flag", "issue_rma", "receive", "start_inspection",
         "start_repair", "start_replacement", "issue_store_credit", "ship_back", "deliver",
         "lapse", "cancel"),
    ),
    S.CLOSED: (
        {},
        ("approve", "reject", "flag", "issue_rma", "receive", "start_inspection", "start_repair",
         "start_replacement", "issue_store_credit", "ship_back", "deliver", "close", "lapse",
         "cancel"),
    ),
    S.LAPSED: (
        {},
        ("approve", "reject", "flag", "issue_rma", "receive", "start_inspection", "start_repair",
         "start_replacement", "issue_store_credit", "ship_back", "deliver", "close", "lapse",
         "cancel"),
    ),
    S.CANCELLED: (
        {},
        ("approve", "reject", "flag", "issue_rma", "receive", "start_inspection", "start_repair",
         "start_replacement", "issue_store_credit", "ship_back", "deliver", "close", "lapse",
         "cancel"),
    ),
}  # fmt: skip

# The event each action publishes (`warranty.claim.<name>`; the notifications catalogue keys on
# these names).
EVENT = {
    "approve": "approved", "reject": "rejected", "flag": "flagged", "issue_rma": "rma_issued",
    "receive": "received", "start_inspection": "inspection_started",
    "start_repair": "repair_started", "start_replacement": "replacement_started",
    "issue_store_credit": "store_credit_issued", "ship_back": "shipped_back",
    "deliver": "delivered", "close": "closed", "lapse": "lapsed", "cancel": "cancelled",
}  # fmt: skip

TERMINAL_BY_SPEC = {S.REJECTED, S.CLOSED, S.LAPSED, S.CANCELLED}

DAY = timedelta(days=1)


def _journey(claim: Claim, catalogue) -> dict[str, Callable[[], None]]:
    """One public call per action, with arguments that would succeed from a legal status."""
    return {
        "approve": lambda: claim.approve(COVERED, AGENT, NOW),
        "reject": lambda: claim.reject(NOT_COVERED, AGENT, NOW),
        "flag": lambda: claim.flag(("same label, another customer",), SYSTEM, NOW),
        "issue_rma": lambda: claim.issue_rma(rma_for(claim, catalogue), SYSTEM, NOW),
        "receive": lambda: claim.receive(CENTRE, NOW + 3 * DAY),
        "start_inspection": lambda: claim.start_inspection(CENTRE, NOW + 3 * DAY),
        "start_repair": lambda: claim.start_repair({"kind": "repair"}, CENTRE, NOW + 4 * DAY),
        "start_replacement": lambda: claim.start_replacement(
            {"kind": "replace_same"}, CENTRE, NOW + 4 * DAY
        ),
        "issue_store_credit": lambda: claim.issue_store_credit(
            {"kind": "store_credit"}, CENTRE, NOW + 4 * DAY
        ),
        "ship_back": lambda: claim.ship_back(Shipment("UPS", "1Z1"), CENTRE, NOW + 6 * DAY),
        "deliver": lambda: claim.deliver(SYSTEM, NOW + 8 * DAY),
        "close": lambda: claim.close(SYSTEM, NOW + 8 * DAY),
        # The RMA (issued at NOW) is valid 30 days: a lapse is attempted after it expired.
        "lapse": lambda: claim.lapse(NOW + 31 * DAY),
        "cancel": lambda: claim.cancel(CUSTOMER, NOW),
    }


# How to reach each status through the public API (a path of actions from a new claim).
PATH: dict[ClaimStatus, tuple[str, ...]] = {
    S.SUBMITTED: (),
    S.NEEDS_REVIEW: ("flag",),
    S.APPROVED: ("approve",),
    S.REJECTED: ("reject",),
    S.AWAITING_ITEM: ("approve", "issue_rma"),
    S.LAPSED: ("approve", "issue_rma", "lapse"),
    S.CANCELLED: ("cancel",),
    S.RECEIVED: ("approve", "issue_rma", "receive"),
    S.INSPECTING: ("approve", "issue_rma", "receive", "start_inspection"),
    S.REPAIRING: ("approve", "issue_rma", "receive", "start_inspection", "start_repair"),
    S.REPLACING: ("approve", "issue_rma", "receive", "start_inspection", "start_replacement"),
    S.SHIPPED_BACK: ("approve", "issue_rma", "receive", "start_inspection", "start_repair",
                     "ship_back"),
    S.DELIVERED: ("approve", "issue_rma", "receive", "start_inspection", "start_repair",
                  "ship_back", "deliver"),
    S.CLOSED: ("approve", "issue_rma", "receive", "start_inspection", "start_repair",
               "ship_back", "deliver", "close"),
}  # fmt: skip


def claim_in(status: ClaimStatus, catalogue) -> Claim:
    claim = new_claim()
    for action in PATH[status]:
        _journey(claim, catalogue)[action]()
    assert claim.status is status
    return claim


PAIRS = [(status, action) for status in SPEC for action in ACTIONS]


def check_pair(status: ClaimStatus, action: str, catalogue) -> None:
    """`action` on a claim in `status` does what the spec says (a plain function: the table
    mutation test in tests/mutation calls it too)."""
    allowed, _refused = SPEC[status]
    claim = claim_in(status, catalogue)
    claim.pull_events()
    if action in allowed:
        assert claim.can(action) and action in claim.allowed_actions()
        _journey(claim, catalogue)[action]()
        assert claim.status is allowed[action]
        assert [e.name for e in claim.pull_events()] == [EVENT[action]]
        last = claim.transitions[-1]
        assert (last.from_status, last.to_status) == (status, allowed[action])
        if action == "lapse":  # nobody acted: the warranty service's own timer did
            assert last.actor == Actor(type="system", id="warranty")
        return
    assert not claim.can(action) and action not in claim.allowed_actions()
    with pytest.raises(ClaimInvalidTransition) as refused:
        claim.ensure_can(action)
    assert refused.value.details["action"] == action
    before = copy.deepcopy(claim)
    with pytest.raises(ClaimInvalidTransition) as exc:
        _journey(claim, catalogue)[action]()
    assert exc.value.code == "claim_invalid_transition" and exc.value.kind == "conflict"
    assert exc.value.details["status"] == str(status)
    assert claim == before


def check_open_and_terminal(status: ClaimStatus, catalogue) -> None:
    claim = claim_in(status, catalogue)
    assert claim.is_open is (status not in TERMINAL_BY_SPEC)
    assert (status in claim_states.TERMINAL) is (status in TERMINAL_BY_SPEC)


# The policy's turnaround: the one-week clock runs while the item is at the repair centre
# (received until shipped back); at risk after 5 days, breached after 7.
CLOCK_RUNS = {S.RECEIVED, S.INSPECTING, S.REPAIRING, S.REPLACING}
RECEIVED_AT = NOW + 3 * DAY


def check_turnaround_clock(status: ClaimStatus, catalogue) -> None:
    claim = claim_in(status, catalogue)
    claim.pull_events()
    if status is S.AWAITING_ITEM:
        return  # its timer is the RMA's (test_claims.py::test_rma_reminder_then_lapse)
    running = status in CLOCK_RUNS
    assert claim.next_timer_at() == (RECEIVED_AT + 5 * DAY if running else None)
    expected = ["sla_at_risk", "sla_breached"] if running else []
    assert claim.check_timers(RECEIVED_AT + 8 * DAY) == expected
    assert claim.status is status


def check_spec_table() -> None:
    """The spec names every status and every action of the code once."""
    assert set(SPEC) == set(ClaimStatus)
    assert set(ACTIONS) == set(
        claim_states.TRANSITIONS
    )  # an action added to the code must be added here
    for status, (allowed, refused) in SPEC.items():
        assert not set(allowed) & set(refused), status
        assert sorted([*allowed, *refused]) == sorted(ACTIONS), status
