"""Domain events -> CloudEvents for the outbox: each event class maps to its contract model.

The subject is the one the contract registry (shared/contracts) gives that model, so no subject
string is written twice; the payload is validated by the contract model before it is queued.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from services.orders.adapters.wire_returns import RETURN_WIRE
from services.orders.domain import events as ev
from services.orders.domain.money import Money
from services.orders.domain.quotes import CustomsDeclaration
from shared.contracts import carts as cc
from shared.contracts import orders as c
from shared.contracts.envelope import CloudEvent, make_event
from shared.contracts.registry import EVENT_TYPES, load_all
from shared.logging import current_correlation_id

SOURCE = "/concierge/orders"
_SUBJECTS: dict[type[BaseModel], str] = {}  # contract model -> subject, read from the registry


@dataclass(frozen=True)
class Mapping:
    model: type[BaseModel]
    entity_id: Callable[[Any], str]  # the CloudEvent subject: the order, quote, style or entry
    payload: Callable[[Any], dict[str, Any]]


def _amount(m: Money | None) -> str | None:
    return None if m is None else str(m.amount)


def _order(e: ev.OrderEvent) -> dict[str, Any]:
    o = e.order
    return {
        "order_id": o.order_id,
        "status": str(o.status),
        "quote_id": o.quote_id,
        "customer_id": o.customer_id,
        "agent_id": o.agent_id,
        "region": o.region,
        "style": o.style,
        "quantity": o.quantity,
        "offer_kind": o.offer_kind,
        "warehouse": o.warehouse,
        "currency": o.total.currency,
        "total": _amount(o.total),
    }


def _customs(cu: CustomsDeclaration) -> dict[str, Any]:
    return {
        "hs_code": cu.hs_code,
        "origin_country": cu.origin_country,
        "quantity": cu.quantity,
        "declared_value": _amount(cu.declared_value),
        "currency": cu.declared_value.currency,
        "incoterm": cu.incoterm,
    }


def _quote_created(e: ev.QuoteCreated) -> dict[str, Any]:
    return {
        "quote_id": e.quote_id,
        "customer_id": e.customer_id,
        "agent_id": e.agent_id,
        "region": e.region,
        "style": e.style,
        "quantity": e.quantity,
        "offer_kind": e.offer_kind,
        "warehouse": e.warehouse,
        "currency": e.total.currency,
        "total": _amount(e.total),
        "fx_rate": e.fx_rate,
        "fx_as_of": e.fx_as_of,
        "expires_at": e.expires_at,
    }


def _cart_quote_created(e: ev.CartQuoteCreated) -> dict[str, Any]:
    return {
        "quote_id": e.quote_id,
        "customer_id": e.customer_id,
        "agent_id": e.agent_id,
        "region": e.region,
        "currency": e.total.currency,
        "total": _amount(e.total),
        "fx_rate": e.fx_rate,
        "fx_as_of": e.fx_as_of,
        "shipments": [_shipment_summary(s) for s in e.shipments],
        "expires_at": e.expires_at,
    }


def _shipment_summary(s: ev.ShipmentSummary) -> dict[str, Any]:
    return {
        "warehouse": s.warehouse,
        "ships_from_region": s.source_region,
        "treatment": s.treatment,
        "lines": [{"style": style, "quantity": quantity} for style, quantity in s.lines],
        "goods": _amount(s.goods),
        "shipping": _amount(s.shipping),
        "duty": _amount(s.duty),
        "vat": _amount(s.vat),
        "total": _amount(s.total),
    }


def _placed(e: ev.OrderPlaced) -> dict[str, Any]:
    items = [
        {
            "style": i.style,
            "name": i.name,
            "quantity": i.quantity,
            "unit_price": _amount(i.unit_price),
        }
        for i in e.items
    ]
    return {
        **_order(e),
        "items": items,
        "ships_from_region": e.ships_from_region,
        "duties_included": e.duties_included,
        "delivery_days_min": e.delivery_days_min,
        "delivery_days_max": e.delivery_days_max,
    }


def _undo(e: ev.OrderFailed | ev.OrderCancelled) -> dict[str, Any]:
    return {
        "amount_released": _amount(e.amount_released),
        "compensations": [str(x) for x in e.compensations],
    }


def _shipment_created(e: ev.OrderShipmentCreated) -> dict[str, Any]:
    lines = [_customs(x) for x in e.parcel_customs] or None  # a cart parcel's every line
    return {
        **_order(e),
        "shipment_id": e.shipment_id,
        "tracking_number": e.tracking_number,
        "carrier": e.carrier,
        "customs": _customs(e.customs),
        "parcel_warehouse": e.warehouse,
        "customs_lines": lines,
    }


def _priced(price: Money | None) -> dict[str, Any]:
    return {"price": _amount(price), "currency": None if price is None else price.currency}


def _order_id(e: ev.OrderEvent) -> str:
    return e.order.order_id


# fmt: off
MAPPINGS: dict[type, Mapping] = {
    ev.QuoteCreated: Mapping(c.QuoteCreated, lambda e: e.quote_id, _quote_created),
    ev.CartQuoteCreated: Mapping(cc.CartQuoteCreated, lambda e: e.quote_id, _cart_quote_created),
    ev.OrderPlaced: Mapping(c.OrderPlaced, _order_id, _placed),
    ev.OrderPaymentAuthorized: Mapping(c.OrderPaymentAuthorized, _order_id, lambda e: {
        **_order(e), "authorization_id": e.authorization_id, "amount": _amount(e.amount)}),
    ev.OrderStockReserved: Mapping(c.OrderStockReserved, _order_id, lambda e: {
        **_order(e), "reservation_id": e.reservation_id}),
    ev.OrderShipmentCreated: Mapping(c.OrderShipmentCreated, _order_id, _shipment_created),
    ev.OrderShipmentUpdated: Mapping(c.OrderShipmentUpdated, _order_id, lambda e: {
        **_order(e), "shipment_id": e.shipment_id, "parcel_warehouse": e.warehouse,
        "shipment_status": e.status, "tracking_number": e.tracking_number}),
    ev.OrderConfirmed: Mapping(c.OrderConfirmed, _order_id, lambda e: {
        **_order(e), "delivery_from": e.delivery_from, "delivery_to": e.delivery_to,
        "ships_from": e.ships_from, "ships_from_region": e.ships_from_region}),
    ev.OrderShipped: Mapping(c.OrderShipped, _order_id, lambda e: {
        **_order(e), "shipment_id": e.shipment_id, "carrier": e.carrier,
        "tracking_number": e.tracking_number, "delivery_to": e.delivery_to}),
    ev.OrderDelivered: Mapping(c.OrderDelivered, _order_id, lambda e: {
        **_order(e), "tracking_number": e.tracking_number, "delivered_on": e.delivered_on}),
    ev.OrderFailed: Mapping(c.OrderFailed, _order_id, lambda e: {
        **_order(e), "reason_code": str(e.reason), "advice_code": e.advice_code,
        "message": e.message, "failed_style": e.failed_style, **_undo(e)}),
    ev.OrderCancelled: Mapping(c.OrderCancelled, _order_id, lambda e: {
        **_order(e), "cancelled_by": e.cancelled_by, **_undo(e)}),
    ev.OrderRefunded: Mapping(c.OrderRefunded, _order_id, lambda e: {
        **_order(e), "refund_id": e.refund_id, "refund_amount": _amount(e.refund_amount)}),
    ev.ListingChanged: Mapping(c.ListingChanged, lambda e: e.style, lambda e: {
        "style": e.style, "region": e.region, "listed": e.price is not None, **_priced(e.price)}),
    ev.StockReplenished: Mapping(c.StockReplenished, lambda e: e.style, lambda e: {
        "style": e.style, "warehouse": e.warehouse, "region": e.region,
        "available": e.available}),
    ev.WaitlistAvailable: Mapping(c.WaitlistAvailable, lambda e: e.entry_id, lambda e: {
        "entry_id": e.entry_id, "customer_id": e.customer_id, "style": e.style,
        "item_name": e.item_name, "region": e.region, "reason": e.reason,
        **_priced(e.price)}),
}
# fmt: on
MAPPINGS.update({kind: Mapping(*parts) for kind, parts in RETURN_WIRE.items()})


def subject_of(model: type[BaseModel]) -> str:
    """The subject the contract registry publishes `model` on."""
    if not _SUBJECTS:
        _SUBJECTS.update({spec.model: spec.type for spec in (EVENT_TYPES or load_all()).values()})
    try:
        return _SUBJECTS[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not a registered event contract") from None


def payload(event: ev.Event) -> dict[str, Any]:
    """The event's data as published: validated by its contract model, JSON-ready."""
    return _contract(event).model_dump(mode="json")


def _contract(event: ev.Event) -> BaseModel:
    mapping = MAPPINGS[type(event)]
    return mapping.model.model_validate(mapping.payload(event))


def to_cloud_event(event: ev.Event) -> CloudEvent[Any]:
    mapping = MAPPINGS[type(event)]
    return make_event(
        type=subject_of(mapping.model),
        source=SOURCE,
        subject=mapping.entity_id(event),
        data=_contract(event),
        correlation_id=current_correlation_id(),
        time=event.occurred_at,
    )
