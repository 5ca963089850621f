"""The sandbox carrier's booked requests as documents of its journal (outbound shipments; return
labels are in sandbox_return_labels.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.orders.adapters.providers.sandbox_return_labels import (
    is_return_document,
    return_request_from,
    return_request_to,
)
from services.orders.domain.money import Money
from services.orders.domain.ports import ReturnLabelRequest, ShipmentRequest
from services.orders.domain.quotes import CustomsDeclaration


def any_request_from(d: dict[str, Any]) -> ShipmentRequest | ReturnLabelRequest:
    return return_request_from(d) if is_return_document(d) else _request_from(d)


def any_request_to(r: ShipmentRequest | ReturnLabelRequest) -> dict[str, Any]:
    return return_request_to(r) if isinstance(r, ReturnLabelRequest) else _request_to(r)


def _request_to(r: ShipmentRequest) -> dict[str, Any]:
    out: dict[str, Any] = {
        "order_id": r.order_id,
        "from_warehouse": r.from_warehouse,
        "to_region": r.to_region,
        "idempotency_key": r.idempotency_key,
        "customs": _customs_to(r.customs),
    }
    if r.more_customs:  # a cart parcel's further lines
        out["more_customs"] = [_customs_to(x) for x in r.more_customs]
    return out


def _customs_to(c: CustomsDeclaration) -> dict[str, Any]:
    return {
        "hs_code": c.hs_code,
        "origin_country": c.origin_country,
        "description": c.description,
        "quantity": c.quantity,
        "declared_value": str(c.declared_value.amount),
        "currency": c.declared_value.currency,
        "incoterm": c.incoterm,
    }


def _customs_from(c: dict[str, Any]) -> CustomsDeclaration:
    return CustomsDeclaration(
        c["hs_code"],
        c["origin_country"],
        c["description"],
        c["quantity"],
        Money(Decimal(c["declared_value"]), c["currency"]),
        c["incoterm"],
    )


def _request_from(d: dict[str, Any]) -> ShipmentRequest:
    return ShipmentRequest(
        d["order_id"],
        d["from_warehouse"],
        d["to_region"],
        _customs_from(d["customs"]),
        d["idempotency_key"],
        tuple(_customs_from(x) for x in d.get("more_customs", [])),
    )
