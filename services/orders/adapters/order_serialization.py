"""Order <-> JSON-safe dicts, for the database: the accepted quote (or cart) and the saga state."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.orders.adapters.cart_serialization import (
    cart_quote_from_dict,
    cart_quote_to_dict,
    is_cart_document,
)
from services.orders.adapters.serialization import quote_from_dict, quote_to_dict
from services.orders.domain.order_shipments import OrderShipment, ShipmentStatus, headline_quote
from services.orders.domain.order_state import Failure, StepRecord, TimelineEntry
from services.orders.domain.orders import Order
from services.orders.domain.reference import StyleDeclaration
from services.orders.domain.saga import Compensation, FailureReason, OrderStatus, Step

S = OrderStatus


def order_quote_to_dict(o: Order) -> dict[str, Any]:
    """The accepted quote as stored: the cart document for a cart order (its headline is
    derived again on load)."""
    return cart_quote_to_dict(o.cart) if o.cart is not None else quote_to_dict(o.quote)


def order_state_to_dict(o: Order) -> dict[str, Any]:
    """The saga state beyond the indexed columns (steps, compensations, failure, timeline)."""
    return {
        "steps": [
            {"step": str(r.step), "at": r.at.isoformat(), "data": r.data} for r in o.steps.values()
        ],
        "compensated": {str(k): v.isoformat() for k, v in o.compensated.items()},
        "failure": None if o.failure is None else _failure_out(o.failure),
        "timeline": [{"status": str(t.status), "at": t.at.isoformat()} for t in o.timeline],
        "strays_checked": o.strays_checked,
        "correlation_id": o.correlation_id,
        "shipments": [_shipment_out(p) for p in o.shipments],
    }


def _failure_out(f: Failure) -> dict[str, Any]:
    out = {"reason": str(f.reason), "message": f.message, "detail": f.detail}
    if f.style is not None:
        out["style"] = f.style
    return out


def _shipment_out(p: OrderShipment) -> dict[str, Any]:
    return {
        "warehouse": p.warehouse,
        "shipment_id": p.shipment_id,
        "tracking_number": p.tracking_number,
        "carrier": p.carrier,
        "status": str(p.status),
        "shipped_at": p.shipped_at.isoformat() if p.shipped_at else None,
        "delivered_at": p.delivered_at.isoformat() if p.delivered_at else None,
    }


def _shipment_in(d: dict[str, Any]) -> OrderShipment:
    return OrderShipment(
        d["warehouse"],
        d["shipment_id"],
        d["tracking_number"],
        d["carrier"],
        ShipmentStatus(d["status"]),
        _at(d.get("shipped_at")),
        _at(d.get("delivered_at")),
    )


def _at(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def order_from_parts(
    *,
    order_id: str,
    customer_id: str,
    agent_id: str | None,
    payment_token: str,
    status: str,
    created_at: datetime,
    quote: dict[str, Any],
    state: dict[str, Any],
    style_declarations: Mapping[str, StyleDeclaration] | None = None,
) -> Order:
    """The order as stored; `style_declarations` completes a cart stored before its lines
    kept their origin, description and product name (cart_serialization.py)."""
    cart = cart_quote_from_dict(quote, style_declarations) if is_cart_document(quote) else None
    order = Order(
        order_id=order_id,
        customer_id=customer_id,
        quote=quote_from_dict(quote) if cart is None else headline_quote(cart),
        payment_token=payment_token,
        status=OrderStatus(status),
        created_at=created_at,
        agent_id=agent_id,
        failure=_failure_in(state.get("failure")),
        cart=cart,
    )
    order.strays_checked = bool(state.get("strays_checked", False))
    order.correlation_id = state.get("correlation_id")
    for r in state.get("steps", []):
        step = Step(r["step"])
        order.steps[step] = StepRecord(step, datetime.fromisoformat(r["at"]), r["data"])
    for k, v in state.get("compensated", {}).items():
        order.compensated[Compensation(k)] = datetime.fromisoformat(v)
    for t in state.get("timeline", []):
        order.timeline.append(
            TimelineEntry(OrderStatus(t["status"]), datetime.fromisoformat(t["at"]))
        )
    order.shipments = [_shipment_in(x) for x in state.get("shipments", [])] or _legacy(order)
    return order


def _failure_in(f: dict[str, Any] | None) -> Failure | None:
    if f is None:
        return None
    return Failure(FailureReason(f["reason"]), f["message"], f.get("detail"), f.get("style"))


def _legacy(order: Order) -> list[OrderShipment]:
    """An order saved before parcels were kept: its one parcel, from the booking step."""
    data = order.step_data(Step.CREATE_SHIPMENT)
    if not data:
        return []
    parcel = OrderShipment(
        order.quote.warehouse, data["shipment_id"], data["tracking_number"], data["carrier"]
    )
    if order.status in (S.SHIPPED, S.DELIVERED, S.REFUNDED):
        shipped = order.steps.get(Step.CAPTURE_PAYMENT)
        parcel.advance(ShipmentStatus.IN_TRANSIT, shipped.at if shipped else order.created_at)
    delivered = order.steps.get(Step.DELIVER)
    if delivered is not None:
        parcel.advance(ShipmentStatus.DELIVERED, delivered.at)
    return [parcel]
