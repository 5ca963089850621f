"""Events of returns (`orders.return.*`): ids, codes and figures only, never personal data."""

from __future__ import annotations

from pydantic import BaseModel, Field

from shared.contracts.orders.returns import ExchangeOut, RefundOut
from shared.contracts.orders.subjects import _AMOUNT_DESC, Amount
from shared.contracts.registry import event


class ReturnLineFacts(BaseModel):
    style: str = Field(description="Style code.")
    quantity: int = Field(description="Units.")
    reason: str = Field(description="Reason code (changed_mind, wrong_size_or_fit...).")


class ReturnFacts(BaseModel):
    """Facts every return event carries."""

    return_id: str = Field(description="Return id.")
    return_number: str = Field(description="Return number.")
    order_id: str = Field(description="Order id.")
    customer_id: str = Field(description="Customer id.")
    agent_id: str | None = Field(default=None, description="Agent who started it, if any.")
    region: str = Field(description="Customer's region.")
    status: str = Field(description="Return status after this event.")
    resolution: str = Field(description="refund or exchange.")
    lines: list[ReturnLineFacts] = Field(description="Lines returned.")
    currency: str = Field(description="Currency of amounts.")


@event("orders.return.requested", partner_visible=True)
class ReturnRequested(ReturnFacts):
    """A return was requested: free label issued, refund computed (paid once the parcel is in)."""

    refund: RefundOut = Field(description="The refund by the rule.")
    carrier: str = Field(description="Carrier of the return labels.")
    tracking_numbers: list[str] = Field(description="Return parcels' tracking numbers.")
    exchange: ExchangeOut | None = Field(default=None, description="The exchange, if one.")


@event("orders.return.in_transit", partner_visible=True)
class ReturnInTransit(ReturnFacts):
    """The carrier has the return parcel."""


@event("orders.return.received", partner_visible=True)
class ReturnReceived(ReturnFacts):
    """The return parcel was scanned in (or received at the warehouse)."""

    received_by: str = Field(description="parcel_scanned_in or warehouse_received.")


@event("orders.return.refunded", partner_visible=True)
class ReturnRefunded(ReturnFacts):
    """Money went back to the original payment. For finance: the duty and import VAT the brand
    can reclaim on the returned goods (`refund.reclaimable_duty`, `refund.reclaimable_import_vat`,
    overall and per line)."""

    refund_id: str | None = Field(default=None, description="Payment provider's refund id.")
    amount_refunded: Amount = Field(description=_AMOUNT_DESC, examples=["288.17"])
    refund: RefundOut = Field(description="The refund by the rule, reclaimable figures included.")
    exchange: ExchangeOut | None = Field(
        default=None,
        description="An exchange: its terms and the new item's outbound parcel (booked before "
        "the refund).",
    )


@event("orders.return.cancelled", partner_visible=True)
class ReturnCancelled(ReturnFacts):
    """The customer kept the goods: the return was cancelled."""

    cancelled_by: str = Field(description="customer, agent or system.")


@event("orders.return.expired", partner_visible=True)
class ReturnExpired(ReturnFacts):
    """The parcel never arrived in time; an exchange was settled as the customer chose."""

    exchange_outcome: str | None = Field(default=None, description="charge_in_full or cancel.")
    charged: Amount | None = Field(default=None, description="Charged now (exchange kept).")
    refunded: Amount | None = Field(default=None, description="Refunded now (exchange cancelled).")
