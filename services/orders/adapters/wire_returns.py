"""Return events -> their contract payloads (wire.py maps each class to its model and subject).

Ids, codes and figures only: the refund's figures are the rule's, as strings with the currency.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from services.orders.adapters.return_serialization import refund_to_dict
from services.orders.domain import return_events as rev
from services.orders.domain.money import Money
from shared.contracts import orders as c


def _amount(m: Money | None) -> str | None:
    return None if m is None else str(m.amount)


def refund_out(r: rev.RefundFigures) -> dict[str, Any]:
    """The refund as `RefundOut` has it (each line with its total)."""
    d = refund_to_dict(r)
    d["lines"] = [
        {**line, "total": _amount(x.total)} for line, x in zip(d["lines"], r.lines, strict=True)
    ]
    return d


def _facts(e: rev.ReturnEvent) -> dict[str, Any]:
    f = e.ret
    return {
        "return_id": f.return_id,
        "return_number": f.return_number,
        "order_id": f.order_id,
        "customer_id": f.customer_id,
        "agent_id": f.agent_id,
        "region": f.region,
        "status": f.status,
        "resolution": f.resolution,
        "lines": [{"style": s, "quantity": q, "reason": r} for s, q, r in f.lines],
        "currency": f.currency,
    }


def exchange_out(x: rev.ExchangeFacts | None) -> dict[str, Any] | None:
    if x is None:
        return None
    return {
        "style": x.style,
        "quantity": x.quantity,
        "warehouse": x.warehouse,
        "replacement_total": _amount(x.replacement_total),
        "difference_direction": x.difference_direction,
        "difference": _amount(x.difference),
        "if_not_returned": x.if_not_returned,
        "parcel_deadline": x.parcel_deadline,
        "parcel": _parcel(x),
    }


def _parcel(x: rev.ExchangeFacts) -> dict[str, Any] | None:
    """The new item's outbound parcel, once booked."""
    if x.parcel is None:
        return None
    tracking_number, carrier = x.parcel
    return {"tracking_number": tracking_number, "carrier": carrier, "warehouse": x.warehouse}


def _requested(e: rev.ReturnRequested) -> dict[str, Any]:
    return {
        **_facts(e),
        "refund": refund_out(e.refund),
        "carrier": e.carrier,
        "tracking_numbers": list(e.tracking_numbers),
        "exchange": exchange_out(e.exchange),
    }


def _refunded(e: rev.ReturnRefunded) -> dict[str, Any]:
    return {
        **_facts(e),
        "refund_id": e.refund_id,
        "amount_refunded": _amount(e.amount_refunded),
        "refund": refund_out(e.refund),
        "exchange": exchange_out(e.exchange),
    }


def _expired(e: rev.ReturnExpired) -> dict[str, Any]:
    return {
        **_facts(e),
        "exchange_outcome": e.exchange_outcome,
        "charged": _amount(e.charged),
        "refunded": _amount(e.refunded),
    }


def _return_id(e: rev.ReturnEvent) -> str:
    return e.ret.return_id


Wire = tuple[type[BaseModel], Callable[[Any], str], Callable[[Any], dict[str, Any]]]

# fmt: off
RETURN_WIRE: dict[type, Wire] = {
    rev.ReturnRequested: (c.ReturnRequested, _return_id, _requested),
    rev.ReturnInTransit: (c.ReturnInTransit, _return_id, _facts),
    rev.ReturnReceived: (c.ReturnReceived, _return_id, lambda e: {
        **_facts(e), "received_by": e.received_by}),
    rev.ReturnRefunded: (c.ReturnRefunded, _return_id, _refunded),
    rev.ReturnCancelled: (c.ReturnCancelled, _return_id, lambda e: {
        **_facts(e), "cancelled_by": e.cancelled_by}),
    rev.ReturnExpired: (c.ReturnExpired, _return_id, _expired),
}
# fmt: on
