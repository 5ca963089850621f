"""The sandbox carrier's return labels as rows of its journal (beside outbound shipments).

A return label is stored in the same journal table as a shipment; its request document says
which it is (`"kind": "return"`), so a restarted sandbox tracks it on the return schedule.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.orders.domain.money import Money
from services.orders.domain.ports import ReturnedGoods, ReturnLabelRequest


def is_return_document(d: dict[str, Any]) -> bool:
    return d.get("kind") == "return"


def return_request_to(r: ReturnLabelRequest) -> dict[str, Any]:
    return {
        "kind": "return",
        "return_id": r.return_id,
        "order_id": r.order_id,
        "from_region": r.from_region,
        "to_warehouse": r.to_warehouse,
        "original_tracking_number": r.original_tracking_number,
        "idempotency_key": r.idempotency_key,
        "customs": [
            {
                "hs_code": c.hs_code,
                "origin_country": c.origin_country,
                "description": c.description,
                "quantity": c.quantity,
                "declared_value": str(c.declared_value.amount),
                "currency": c.declared_value.currency,
                "procedure": c.procedure,
            }
            for c in r.customs
        ],
    }


def return_request_from(d: dict[str, Any]) -> ReturnLabelRequest:
    customs = tuple(
        ReturnedGoods(
            c["hs_code"],
            c["origin_country"],
            c["description"],
            c["quantity"],
            Money(Decimal(c["declared_value"]), c["currency"]),
            c["procedure"],
        )
        for c in d["customs"]
    )
    return ReturnLabelRequest(
        return_id=d["return_id"],
        order_id=d["order_id"],
        from_region=d["from_region"],
        to_warehouse=d["to_warehouse"],
        original_tracking_number=d["original_tracking_number"],
        customs=customs,
        idempotency_key=d["idempotency_key"],
    )
