"""Rule 7 of the chaos checker: every return is refunded exactly once, and nothing is lost.

A return the load asked for (2xx) exists, one per order (each order is returned at most once).
Every return is finished once the system has settled. A refunded return has exactly one
`orders.return.refunded` event and exactly one sandbox refund under its key
(`<return_id>:refund`), of the amount the event says; a return that was not refunded has
neither, and no refund is paid for a return nobody asked for.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tests.chaos.checker import Report, Snapshot

# A return with nothing left to do (`converted_to_claim`: an agent's decision, never in chaos).
DONE_RETURN_STATUSES = {"refunded", "cancelled", "expired", "converted_to_claim"}
REFUNDED = "orders.return.refunded"


def check_returns(s: Snapshot, r: Report) -> None:
    c = r.counts
    c["returns"] = len(s.returns)
    c["returns_refunded"] = sum(1 for x in s.returns.values() if x["status"] == "refunded")
    per_order = Counter(x["order_id"] for x in s.returns.values())
    for order_id, n in per_order.items():
        if n > 1:
            r.duplicates.append(f"return intent (order {order_id}) created {n} returns")
    events = [e for e in s.events if e.type == REFUNDED]
    c["return_refunded_events"] = len(events)
    by_return = Counter(str(e.data.get("return_id")) for e in events)
    amounts = {str(e.data.get("return_id")): e.data.get("amount_refunded") for e in events}
    refunds = Counter(_return_of(row["idempotency_key"]) for row in s.refunds)
    paid = {_return_of(row["idempotency_key"]): row["amount"] for row in s.refunds}
    c["refunds_paid"] = sum(refunds[x] for x in s.returns)
    for return_id, x in s.returns.items():
        status = x["status"]
        if status not in DONE_RETURN_STATUSES:
            r.half_done.append(f"return {return_id} stuck in {status}")
        if status != "refunded":
            if by_return[return_id] or refunds[return_id]:
                r.inconsistent.append(f"return {return_id} is {status} but has "
                                      f"{by_return[return_id]} refunded events, "
                                      f"{refunds[return_id]} refunds")  # fmt: skip
            continue
        _refunded_once(return_id, by_return[return_id], refunds[return_id], r)
        if by_return[return_id] and refunds[return_id]:
            if Decimal(str(amounts[return_id])) != Decimal(str(paid[return_id])):
                r.inconsistent.append(f"return {return_id}: event says {amounts[return_id]}, "
                                      f"sandbox refunded {paid[return_id]}")  # fmt: skip
    _unknown_refunds(s, refunds, r)


def _refunded_once(return_id: str, events: int, refunds: int, r: Report) -> None:
    if events == 0:
        r.lost.append(f"return {return_id} refunded but no {REFUNDED} event")
    elif events > 1:
        r.duplicates.append(f"return {return_id}: {events} {REFUNDED} events")
    if refunds == 0:
        r.lost.append(f"return {return_id} refunded but no sandbox refund under its key")
    elif refunds > 1:
        r.duplicates.append(f"return {return_id}: {refunds} sandbox refunds")


def _unknown_refunds(s: Snapshot, refunds: Counter[str], r: Report) -> None:
    """Only returns are refunded in part (`refund_part`), each under its own key."""
    for return_id in refunds:
        if return_id not in s.returns:
            r.inconsistent.append(f"sandbox refund for return {return_id} that does not exist")


def _return_of(idempotency_key: str) -> str:
    return idempotency_key.split(":", 1)[0]
