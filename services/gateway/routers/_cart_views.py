"""HTTP models of cart quotes (`POST /v1/quotes` with `lines`): a cart split into shipments.

Kept beside the orders router so its own file changes little. The cart rules themselves (at most
20 lines, distinct styles, 1 to 20 units) are the orders service's: the bounds here only keep
the transport sane, so a cart breaking a rule gets the service's precise code, not a generic
validation error.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from services.gateway.models import RequestModel, ResponseModel
from shared.contracts.carts import MAX_WIRE_LINES, CartLineIn


class CartLineBody(RequestModel):
    style: str = Field(
        min_length=2, max_length=16, pattern=r"^[A-Za-z0-9]+$", examples=["TC11"],
        description="Style code; each line a different style.",
    )  # fmt: skip
    quantity: int = Field(
        ge=0, le=999, examples=[2],
        description="Units (1 to 20; otherwise refused with `quote_invalid_quantity`).",
    )  # fmt: skip


CartLines = list[CartLineBody] | None
LINES_FIELD = Field(
    default=None,
    max_length=MAX_WIRE_LINES,
    description="A cart: up to 20 lines of distinct styles (instead of `style` and `quantity`).",
)


def cart_lines_in(lines: CartLines) -> list[CartLineIn] | None:
    return None if lines is None else [CartLineIn(**x.model_dump()) for x in lines]


class ShipmentLineView(ResponseModel):
    style: str = Field(examples=["VT02"])
    hs_code: str = Field(examples=["4202.21"])
    quantity: int
    unit_price: str = Field(examples=["231.01"], description="Converted at the locked rate.")
    goods: str = Field(examples=["231.01"])
    shipping_share: str = Field(examples=["15.36"], description="DDP import only; else 0.")
    duty_rate: str | None = Field(default=None, examples=["0.03"])
    duty: str = Field(examples=["7.39"])


class ShipmentCustomsView(ResponseModel):
    style: str = Field(examples=["VT02"])
    hs_code: str = Field(examples=["4202.21"])
    origin_country: str = Field(examples=["IT"])
    quantity: int
    declared_value: str
    currency: str
    incoterm: str = Field(examples=["DDP"])


class QuoteShipmentView(ResponseModel):
    warehouse: str = Field(examples=["US-NJ"])
    ships_from_region: str = Field(examples=["US"])
    treatment: str = Field(
        examples=["ddp_import"], description="local, low_value_vat, ddp_import, untaxed_import"
    )
    currency: str = Field(examples=["GBP"])
    lines: list[ShipmentLineView]
    goods: str = Field(examples=["291.48"])
    shipping: str = Field(examples=["19.38"], description="Charged once per shipment.")
    duty: str = Field(examples=["9.13"])
    vat_rate: str = Field(examples=["0.20"])
    vat: str = Field(examples=["64.00"], description="Seller VAT or import VAT, added on top.")
    vat_included: str = Field(examples=["0.00"], description="Already inside local prices.")
    total: str = Field(examples=["383.99"])
    delivery_days_min: int
    delivery_days_max: int
    customs: list[ShipmentCustomsView] = Field(description="Empty for a local shipment.")


class LockedFxView(ResponseModel):
    source: str = Field(examples=["USD"])
    target: str = Field(examples=["GBP"])
    rate: str = Field(examples=["0.7752"], description="Snapshot rate x (1 + margin).")
    snapshot_rate: str = Field(examples=["0.7600"])
    margin: str = Field(examples=["0.02"])
    as_of: date


class CartQuoteView(ResponseModel):
    """A cart quote: one shipment per warehouse, one total, one locked rate."""

    quote_id: str
    region: str = Field(examples=["UK"])
    currency: str = Field(examples=["GBP"])
    shipments: list[QuoteShipmentView]
    total: str = Field(examples=["383.99"])
    fx: LockedFxView | None = None
    created_at: datetime
    expires_at: datetime
