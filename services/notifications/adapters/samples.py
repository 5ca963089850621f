"""Sample data for every message kind, for previews and template tests.

Drawn from the two customer stories: a repaired handbag and a cross-region tablet sleeve.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ..domain.messages import CATALOGUE, message_kind
from ..domain.preferences import normalise_locale

_REGIONAL = {
    "en-US": {"customer_name": "Dana", "currency": "USD", "price": Decimal("78.00")},
    "en-GB": {"customer_name": "Margaret", "currency": "GBP", "price": Decimal("60.47")},
    "en-IE": {"customer_name": "Aoife", "currency": "EUR", "price": Decimal("71.50")},
}
_SHIP_TO = {
    "en-US": "Concierge Repair Centre, 100 Meadowlands Pkwy, Secaucus, NJ 07094, USA",
    "en-GB": "Concierge Repair Centre, Unit 4, Thames Road, London E16 2EZ, UK",
    "en-IE": "Concierge Repair Centre, Kabelweg 10, 1014 BA Amsterdam, Netherlands",
}
_ITEM = "Voyager travel tote, luggage brown"
_CLAIM = {
    "claim_id": "CLM-7Q2K9",
    "item_name": _ITEM,
    "rma_number": "RMA-2026-000418",
    "rma_form_url": "https://concierge.example/v1/claims/CLM-7Q2K9/rma.pdf",
    "rma_expires_on": date(2026, 12, 23),
    "coverage_end": date(2028, 6, 14),
    "reason": "Manufacturing defect in the handle piping, covered under policy 2024-01.",
    "review_days": 2,
    "turnaround_days": 7,
    "received_on": date(2026, 11, 23),
    "promised_by": date(2026, 11, 30),
    "repair_summary": "handle piping on both handles",
    "replacement_name": "Voyager travel tote, luggage brown (new)",
    "resolution": "repair",
    "resolution_label": "repaired",
    "parts": ["handle piping (luggage brown)"],
    "carrier": "Parcelforce",
    "tracking_number": "PF123456789GB",
    "tracking_url": "https://track.example/PF123456789GB",
    "delivered_on": date(2026, 12, 2),
}
_ORDER = {
    "order_id": "ORD-5TX81",
    "item_name": "Floral tablet sleeve 11-inch",
    "ships_from": "our US warehouse (New Jersey)",
    "duties_included": True,
    "delivery_from": date(2026, 11, 28),
    "delivery_to": date(2026, 12, 1),
    "carrier": "DHL Express",
    "tracking_number": "JD014600006281234567",
    "tracking_url": "https://track.example/JD014600006281234567",
    "delivered_on": date(2026, 12, 1),
    "reason": "The last one in stock was sold while your payment was being confirmed.",
    "advice": "Join the waitlist and we'll tell you as soon as it's back, or choose another style.",
    "refunded_on": date(2026, 12, 3),
    "product_url": "https://shop.example/products/TC11",
}


_RETURN = {
    "return_number": "R-3F2A9-C01B7",
    "return_tracking_number": "SBR104729384756",
    "exchange_style": None,
    "exchange_direction": None,
    "exchange_difference": None,
    "refunded": None,
    "exchange_outcome": None,
}


def sample_context(kind: str, locale: str = "en-US") -> dict[str, Any]:
    """A complete context for `kind`, with the customer's currency for the locale."""
    message_kind(kind)
    locale = normalise_locale(locale)
    regional = _REGIONAL[locale]
    amount = regional["price"]
    context: dict[str, Any] = {
        "customer_name": regional["customer_name"],
        "currency": regional["currency"],
    }
    if kind.startswith("claim_"):
        context.update(_CLAIM, ship_to=_SHIP_TO[locale], credit_amount=amount)
    else:
        context.update(_ORDER)
        context.update(
            total=amount,
            price=amount,
            refund_amount=amount,
            amount_released=amount,
            items=[{"quantity": 1, "name": _ORDER["item_name"], "unit_price": amount}],
        )
    if kind.startswith("return_"):
        context.update(_RETURN, refund_total=amount, amount_refunded=amount, charged=amount)
    return context


def all_kinds() -> list[str]:
    return sorted(CATALOGUE)
