"""Public contracts of the orders service for carts: several lines quoted as shipments.

A cart quote groups its lines by the warehouse they leave from; each shipment is priced on its
own (goods, shipping once, duty, VAT by its treatment) and the quote total is their sum. The
rules are in docs/returns.md. Amounts are decimal strings in `currency`, rounded half-up to the
minor unit. Owned by the orders service; changes are additive only.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.registry import event

MAX_WIRE_LINES = 100  # transport bound; the cart limit itself (20) is operator data, checked inside
_AMOUNT = "Decimal string in `currency`, rounded half-up to the minor unit."
Treatment = Literal["local", "low_value_vat", "ddp_import", "untaxed_import"]
_TREATMENT = (
    "local: from the customer's own region, its prices, no customs; low_value_vat: goods at or "
    "under the threshold, seller VAT on goods + shipping, no duty; ddp_import: over it, duty and "
    "import VAT collected at checkout; untaxed_import: into a region whose tax is out of scope."
)


class CartLineIn(BaseModel):
    """One line of a requested cart: a style and how many units."""

    model_config = ConfigDict(extra="forbid")

    style: str = Field(description="Style code.", examples=["TC11"], min_length=1, max_length=16)
    quantity: int = Field(
        ge=0,
        le=999,
        description="Units of the style (the cart rules allow 1 to 20; outside that the quote "
        "is refused with `quote_invalid_quantity`).",
        examples=[2],
    )


class ShipmentLineOut(BaseModel):
    """One line of a shipment: its goods and its part of the shipment's shipping and duty."""

    style: str = Field(description="Style code.", examples=["VT02"])
    name: str = Field(
        default="",
        description="Product name, as the catalogue listed it when the cart was quoted.",
        examples=["Voyager travel tote"],
    )
    hs_code: str = Field(description="Harmonized System code of the style.", examples=["4202.21"])
    quantity: int = Field(description="Units.")
    unit_price: str = Field(
        description="Price of one unit, converted at the locked rate. " + _AMOUNT
    )
    goods: str = Field(description="Unit price x quantity. " + _AMOUNT, examples=["231.01"])
    shipping_share: str = Field(
        description="The line's share of the shipment's shipping, pro rata to goods (DDP import "
        "only; 0 otherwise). " + _AMOUNT,
        examples=["15.36"],
    )
    duty_rate: str | None = Field(
        default=None, description="Duty rate applied (DDP import only).", examples=["0.03"]
    )
    duty: str = Field(description="Duty on goods + shipping share. " + _AMOUNT, examples=["7.39"])


class ShipmentCustomsOut(BaseModel):
    """One declaration line of a cross-border shipment (delivered duty paid)."""

    style: str = Field(description="Style code declared.")
    hs_code: str = Field(description="Harmonized System code.", examples=["4202.21"])
    origin_country: str = Field(description="ISO country of origin.", examples=["IT"])
    quantity: int = Field(description="Units declared.")
    declared_value: str = Field(description="Goods value the customer paid. " + _AMOUNT)
    currency: str = Field(description="Currency of the declared value.", examples=["GBP"])
    incoterm: str = Field(description="Always DDP: nothing is due on delivery.", examples=["DDP"])


class QuoteShipmentOut(BaseModel):
    """What leaves one warehouse: one parcel, one customs consignment, priced on its own."""

    warehouse: str = Field(description="Warehouse the lines leave from.", examples=["US-NJ"])
    warehouse_name: str | None = Field(
        default=None,
        description="The warehouse's name, shown to people instead of its code.",
        examples=["New Jersey, United States"],
    )
    ships_from_region: str = Field(description="Region of the warehouse.", examples=["US"])
    treatment: Treatment = Field(description=_TREATMENT)
    currency: str = Field(description="Currency of every amount.", examples=["GBP"])
    lines: list[ShipmentLineOut] = Field(description="The cart lines in this shipment.")
    goods: str = Field(description="Sum of the lines' goods. " + _AMOUNT, examples=["291.48"])
    shipping: str = Field(description="Charged once per shipment. " + _AMOUNT, examples=["19.38"])
    duty: str = Field(description="Sum of the lines' duty. " + _AMOUNT, examples=["9.13"])
    vat_rate: str = Field(description="VAT rate of the destination (0 when out of scope).")
    vat: str = Field(
        description="VAT added on top: seller VAT (low value) or import VAT (DDP). " + _AMOUNT,
        examples=["64.00"],
    )
    vat_included: str = Field(
        description="Informational: VAT already inside local tax-inclusive prices. " + _AMOUNT
    )
    total: str = Field(description="Goods + shipping + duty + VAT. " + _AMOUNT, examples=["383.99"])
    delivery_days_min: int = Field(description="Delivery estimate, days.")
    delivery_days_max: int = Field(description="Delivery estimate, days.")
    customs: list[ShipmentCustomsOut] = Field(
        description="Customs declaration, one line per style (empty for a local shipment)."
    )


class LockedFxOut(BaseModel):
    """The one conversion rate a cart quote locked: snapshot rate x (1 + conversion margin)."""

    source: str = Field(description="Currency converted from.", examples=["USD"])
    target: str = Field(description="Currency converted to.", examples=["GBP"])
    rate: str = Field(description="Rate applied (target per source).", examples=["0.7752"])
    snapshot_rate: str = Field(description="Published mid rate.", examples=["0.7600"])
    margin: str = Field(description="Conversion margin.", examples=["0.02"])
    as_of: date = Field(description="Date of the FX snapshot.")


class CartQuoteView(BaseModel):
    """A quote for a cart of several lines, as its customer sees it: its shipments, one total,
    one locked rate."""

    quote_id: str = Field(description="Quote id.")
    region: str = Field(description="Delivery region.", examples=["UK"])
    currency: str = Field(description="Currency of every amount.", examples=["GBP"])
    shipments: list[QuoteShipmentOut] = Field(description="One per warehouse, in cart order.")
    total: str = Field(description="Sum of the shipments. " + _AMOUNT, examples=["383.99"])
    fx: LockedFxOut | None = Field(
        default=None, description="The locked rate (none when nothing was converted)."
    )
    created_at: datetime = Field(description="When quoted.")
    expires_at: datetime = Field(description="Quote expiry (30 minutes after creation).")


class CartQuoteOut(CartQuoteView):
    """The service's reply: the public view plus who the quote is for and who asked."""

    customer_id: str | None = Field(default=None, description="Customer the quote is for.")
    agent_id: str | None = Field(default=None, description="Agent who asked, if any.")


class ShipmentLineFact(BaseModel):
    """A style and its units, as an event carries a shipment's line."""

    style: str = Field(description="Style code.")
    quantity: int = Field(description="Units.")


class ShipmentSummaryOut(BaseModel):
    """One shipment of a cart quote in an event: figures only."""

    warehouse: str = Field(description="Warehouse the lines leave from.")
    ships_from_region: str = Field(description="Region of the warehouse.")
    treatment: Treatment = Field(description=_TREATMENT)
    lines: list[ShipmentLineFact] = Field(description="Styles and units, in cart order.")
    goods: str = Field(description=_AMOUNT)
    shipping: str = Field(description=_AMOUNT)
    duty: str = Field(description=_AMOUNT)
    vat: str = Field(description=_AMOUNT)
    total: str = Field(description=_AMOUNT)


@event("orders.cart_quote.created")
class CartQuoteCreated(BaseModel):
    """A quote for a cart of several lines was issued."""

    quote_id: str = Field(description="Quote id.")
    customer_id: str | None = Field(default=None, description="Customer id.")
    agent_id: str | None = Field(default=None, description="Agent id, if an agent asked.")
    region: str = Field(description="Delivery region.")
    currency: str = Field(description="Currency of every amount.")
    total: str = Field(description=_AMOUNT, examples=["383.99"])
    fx_rate: str | None = Field(default=None, description="Locked FX rate, if converted.")
    fx_as_of: date | None = Field(default=None, description="Date of the FX snapshot used.")
    shipments: list[ShipmentSummaryOut] = Field(description="One per warehouse, in cart order.")
    expires_at: datetime = Field(description="Quote expiry.")
