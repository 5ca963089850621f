"""The life of a return, written out by hand from carts-and-returns.md: every (status, trigger)
pair with its expected outcome, never derived from `returns.RETURN_TRANSITIONS`.

A return is opened awaiting its parcel; the carrier picks it up (in transit), then scans it in or
the warehouse receives it, whichever comes first (received). Money goes back only once received,
never before. Until the carrier has the parcel the customer may cancel (keeps the items); a
parcel that never arrives in time expires; an agent may turn a return into a warranty claim until
it is refunded. A scan or receipt that arrives again, or after the other one, and a refund step
run twice change nothing. Cancelled, expired and converted returns are final.
"""

from __future__ import annotations

import pytest

from services.orders.domain.returns import ReturnStatus, ReturnTrigger, next_status
from shared.errors import InvalidTransition

S, T = ReturnStatus, ReturnTrigger

TRIGGERS = (
    "parcel_picked_up", "parcel_scanned_in", "warehouse_received", "refund_issued",
    "customer_cancelled", "deadline_passed", "agent_converted_to_claim",
)  # fmt: skip

REPEAT = "repeat"  # accepted, nothing changes
REFUSED = "refused"  # return_invalid_transition, nothing changes

# status -> trigger -> the next status, REPEAT or REFUSED. Each row names all seven triggers.
SPEC: dict[ReturnStatus, dict[str, ReturnStatus | str]] = {
    S.AWAITING_PARCEL: {
        "parcel_picked_up": S.IN_TRANSIT,
        "parcel_scanned_in": S.RECEIVED,
        "warehouse_received": S.RECEIVED,
        "refund_issued": REFUSED,  # never before the parcel is in
        "customer_cancelled": S.CANCELLED,
        "deadline_passed": S.EXPIRED,
        "agent_converted_to_claim": S.CONVERTED_TO_CLAIM,
    },
    S.IN_TRANSIT: {
        "parcel_picked_up": REPEAT,
        "parcel_scanned_in": S.RECEIVED,
        "warehouse_received": S.RECEIVED,
        "refund_issued": REFUSED,
        "customer_cancelled": REFUSED,  # the carrier has the items: they are on their way back
        "deadline_passed": S.EXPIRED,
        "agent_converted_to_claim": S.CONVERTED_TO_CLAIM,
    },
    S.RECEIVED: {
        "parcel_picked_up": REPEAT,
        "parcel_scanned_in": REPEAT,  # whichever of scan and receipt comes first counts
        "warehouse_received": REPEAT,
        "refund_issued": S.REFUNDED,
        "customer_cancelled": REFUSED,
        "deadline_passed": REFUSED,  # it arrived
        "agent_converted_to_claim": S.CONVERTED_TO_CLAIM,
    },
    S.REFUNDED: {
        "parcel_picked_up": REPEAT,
        "parcel_scanned_in": REPEAT,
        "warehouse_received": REPEAT,
        "refund_issued": REPEAT,  # a refund step run twice pays once
        "customer_cancelled": REFUSED,
        "deadline_passed": REFUSED,
        "agent_converted_to_claim": REFUSED,  # the money is back
    },
    S.CANCELLED: {trigger: REFUSED for trigger in TRIGGERS},
    S.EXPIRED: {trigger: REFUSED for trigger in TRIGGERS},
    S.CONVERTED_TO_CLAIM: {trigger: REFUSED for trigger in TRIGGERS},
}

PAIRS = [(status, trigger) for status in SPEC for trigger in TRIGGERS]


def check_spec_table_is_complete() -> None:
    """The spec table names every status and every trigger once."""
    assert set(SPEC) == set(ReturnStatus)
    assert sorted(TRIGGERS) == sorted(str(t) for t in ReturnTrigger)
    for status, row in SPEC.items():
        assert sorted(row) == sorted(TRIGGERS), status


def check_pair(status: ReturnStatus, trigger: str) -> None:
    """`trigger` on a return in `status` does what the spec says (a plain function: the table
    mutation test in tests/mutation calls it too)."""
    expected = SPEC[status][trigger]
    if expected == REFUSED:
        with pytest.raises(InvalidTransition) as refused:
            next_status(status, ReturnTrigger(trigger))
        assert refused.value.code == "return_invalid_transition"
        assert refused.value.details == {"status": str(status), "trigger": trigger}
        assert f"{status} cannot take {trigger}" in str(refused.value)
        return
    target, changed = next_status(status, ReturnTrigger(trigger))
    if expected == REPEAT:
        assert (target, changed) == (status, False)
    else:
        assert (target, changed) == (expected, True)
