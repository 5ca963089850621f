"""Catalogue and quotes: browse a region, the offer for one style, a landed-cost quote."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.contracts.carts import MAX_WIRE_LINES, CartLineIn
from shared.contracts.orders.subjects import _AMOUNT_DESC, Amount, Region, _Request


# -- catalogue -----------------------------------------------------------------------------
class CatalogueRequest(_Request):
    """Browse a region's catalogue (any region; the region is the customer's choice)."""

    region: Region = Field(description="Region whose offers to show.", examples=["UK"])


class OfferRequest(_Request):
    style: str = Field(description="Style code.", examples=["TC11"], min_length=2, max_length=16)
    region: Region = Field(description="Customer's region.", examples=["UK"])


class QuoteLineOut(BaseModel):
    """One line of a landed-cost breakdown."""

    kind: Literal["goods", "shipping", "duty", "vat", "vat_included"] = Field(
        description="`vat_included` is informational: already inside the goods price.",
        examples=["goods"],
    )
    description: str = Field(description="Human-readable label of the line.")
    amount: Amount = Field(description=_AMOUNT_DESC, examples=["95.82"])
    unit_price: Amount | None = Field(default=None, description="Goods: price of one unit.")
    quantity: int | None = Field(default=None, description="Goods: number of units.")
    rate: str | None = Field(
        default=None, description="Duty/VAT rate applied, e.g. `0.20`.", examples=["0.20"]
    )
    base: Amount | None = Field(default=None, description="Amount the rate was applied to.")


class FxOut(BaseModel):
    """The locked conversion rate: snapshot rate x (1 + conversion margin)."""

    source: str = Field(description="Currency converted from.", examples=["USD"])
    target: str = Field(description="Currency converted to.", examples=["GBP"])
    rate: str = Field(description="Rate applied (target per source).", examples=["0.7752"])
    snapshot_rate: str = Field(description="Published mid rate.", examples=["0.7600"])
    margin: str = Field(description="Conversion margin.", examples=["0.02"])
    as_of: date = Field(description="Date of the FX snapshot.")


class OfferOut(BaseModel):
    """What a customer in `region` is offered for one style."""

    style: str = Field(description="Style code.", examples=["TC11"])
    name: str = Field(description="Product name.")
    category: str = Field(description="Product category.")
    colour: str = Field(description="Colour.")
    region: str = Field(description="Customer's region.", examples=["UK"])
    kind: Literal["local", "cross_region", "unavailable"] = Field(
        description="local: listed in the region; cross_region: ships from another region; "
        "unavailable: see `reason_code`.",
        examples=["cross_region"],
    )
    warehouse: str | None = Field(
        default=None, description="Fulfilling warehouse.", examples=["US-NJ"]
    )
    warehouse_name: str | None = Field(
        default=None,
        description="The warehouse's name, shown to people instead of its code.",
        examples=["New Jersey, United States"],
    )
    ships_from_region: str | None = Field(default=None, description="Region it ships from.")
    price: Amount | None = Field(
        default=None, description="Price of one unit, landed.", examples=["95.82"]
    )
    currency: str | None = Field(default=None, description="Currency of `price`.")
    lines: list[QuoteLineOut] = Field(default_factory=list, description="Landed cost, one unit.")
    fx: FxOut | None = Field(default=None, description="Rate used when converted.")
    delivery_days_min: int | None = Field(default=None, description="Delivery estimate, days.")
    delivery_days_max: int | None = Field(default=None, description="Delivery estimate, days.")
    available: int = Field(default=0, description="Units available at the warehouse now.")
    reason_code: Literal["restricted_material", "not_shipped_to_region"] | None = Field(
        default=None, description="Why unavailable.", examples=["restricted_material"]
    )
    reason: str | None = Field(default=None, description="Why unavailable, for the customer.")


class CatalogueReply(BaseModel):
    """A region's catalogue: one offer per style."""

    region: str = Field(description="Region shown.", examples=["UK"])
    currency: str = Field(description="Region's currency.", examples=["GBP"])
    offers: list[OfferOut] = Field(description="One offer per style.")


# -- quotes --------------------------------------------------------------------------------
class QuoteRequest(_Request):
    """Ask for a landed-cost quote; valid 30 minutes. The customer comes from the caller.

    Either one `style` (with `quantity`) or a cart of `lines` (shared/contracts/carts.py), not
    both: a cart is answered with a `CartQuoteOut`."""

    style: str | None = Field(
        default=None,
        description="Style code (single-style quote).",
        examples=["TC11"],
        min_length=2,
        max_length=16,
    )
    lines: list[CartLineIn] | None = Field(
        default=None,
        max_length=MAX_WIRE_LINES,
        description="Cart lines, each a distinct style (cart quote; up to 20 lines).",
    )
    region: Region = Field(description="Customer's region (delivery region).", examples=["UK"])
    quantity: int = Field(default=1, ge=1, le=20, description="Units.")
    request_id: str | None = Field(
        default=None,
        max_length=128,
        description="Stable id of the logical request (the gateway derives it from the caller and "
        "the Idempotency-Key): a retry with the same id returns the quote it created.",
    )


class GetQuoteRequest(_Request):
    quote_id: str = Field(description="Quote id.", min_length=1, max_length=64)


class CustomsOut(BaseModel):
    """Customs declaration sent to the carrier (delivered duty paid)."""

    hs_code: str = Field(description="Harmonized System code.", examples=["4202.32"])
    origin_country: str = Field(description="ISO country of origin.", examples=["VN"])
    quantity: int = Field(description="Units declared.")
    declared_value: Amount = Field(description=_AMOUNT_DESC, examples=["95.82"])
    currency: str = Field(description="Currency of the declared value.")
    incoterm: str = Field(description="Always DDP: nothing is due on delivery.", examples=["DDP"])


class QuoteView(BaseModel):
    """A landed-cost quote as its customer sees it: lines, total, the rate used and its expiry."""

    quote_id: str = Field(description="Quote id (use it to place the order).")
    region: str = Field(description="Delivery region.")
    style: str = Field(description="Style code.")
    name: str = Field(description="Product name.")
    quantity: int = Field(description="Units.")
    offer_kind: Literal["local", "cross_region"] = Field(description="How it is fulfilled.")
    warehouse: str = Field(description="Fulfilling warehouse.")
    warehouse_name: str | None = Field(
        default=None,
        description="The warehouse's name, shown to people instead of its code.",
        examples=["New Jersey, United States"],
    )
    ships_from_region: str = Field(description="Region it ships from.")
    currency: str = Field(description="Currency of every amount.", examples=["GBP"])
    lines: list[QuoteLineOut] = Field(description="Goods, shipping, duty, VAT.")
    total: Amount = Field(description=_AMOUNT_DESC, examples=["95.82"])
    tax_treatment: str = Field(
        description="none | prices_include_vat | low_value_vat | duty_and_import_vat.",
        examples=["low_value_vat"],
    )
    fx: FxOut | None = Field(default=None, description="Locked rate when converted.")
    delivery_days_min: int = Field(description="Delivery estimate, days.")
    delivery_days_max: int = Field(description="Delivery estimate, days.")
    customs: CustomsOut = Field(description="Customs data for the shipment.")
    created_at: datetime = Field(description="When quoted.")
    expires_at: datetime = Field(description="Quote expiry (30 minutes after creation).")


class QuoteOut(QuoteView):
    """The service's reply: the public quote plus who it is for (not published over HTTP)."""

    customer_id: str | None = Field(default=None, description="Customer the quote is for.")
    agent_id: str | None = Field(default=None, description="Agent who asked, if any.")
