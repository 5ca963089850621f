"""Rule 7 of the chaos checker: every return and exchange settled once, nothing lost.

The rule itself is shared with the scale suite (tests/support/orders/return_audit.py): one
return per order, every return finished, a refunded return with exactly one
`orders.return.refunded` event and, when money went back, exactly one sandbox refund under
`<return_id>:refund` of that amount; an exchange's difference charged once
(`<return_id>:exchange_difference`) or refunded once, and its new item booked once
(`<return_id>:create_shipment:<warehouse>`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tests.support.orders.return_audit import (
    DONE_RETURN_STATUSES,
    REFUNDED,
    ReturnState,
    audit_returns,
)

if TYPE_CHECKING:
    from tests.chaos.checker import Report, Snapshot

__all__ = ["DONE_RETURN_STATUSES", "check_returns"]


def check_returns(s: Snapshot, r: Report) -> None:
    state = ReturnState(
        returns=s.returns,
        refunded=[e.data for e in s.events if e.type == REFUNDED],
        refunds=s.refunds,
        payments=s.payments,
        shipments=s.shipments,
    )
    audit = audit_returns(state)
    r.counts.update(audit.counts)
    r.lost += audit.lost
    r.duplicates += audit.duplicates
    r.half_done += audit.half_done
    r.inconsistent += audit.inconsistent
