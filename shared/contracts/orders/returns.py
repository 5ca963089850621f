"""Returns and exchanges: requests and replies of `rpc.orders.*_return*` and the public views."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.contracts.bounds import CodeStr, IdStr
from shared.contracts.orders.subjects import _AMOUNT_DESC, Amount, _Request

ReturnReason = Literal["changed_mind", "wrong_size_or_fit", "not_as_pictured", "faulty"]


class ReturnLineIn(_Request):
    style: str = Field(description="Style code, as ordered.", examples=["VT02"],
                       min_length=2, max_length=16, pattern=r"^[A-Za-z0-9]+$")  # fmt: skip
    quantity: int = Field(default=1, ge=1, le=20, description="Units to send back.")
    reason: ReturnReason = Field(
        examples=["changed_mind"],
        description="Why (a code). `faulty` is refused: a faulty item is a warranty claim.",
    )


class RequestReturnRequest(_Request):
    """Return some of a delivered order's lines for a refund, or exchange them."""

    order_id: str = Field(description="Order id.", min_length=1, max_length=64)
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=20, description="Lines to return.")
    resolution: Literal["refund", "exchange"] = Field(
        default="refund", description="Money back, or another style instead."
    )
    exchange_style: str | None = Field(
        default=None, min_length=2, max_length=16, examples=["VT01"],
        description="Exchanges: the style wanted instead (one unit per returned unit).",
    )  # fmt: skip
    if_not_returned: Literal["charge", "cancel"] | None = Field(
        default=None,
        description="Exchanges: if the parcel never arrives within 30 days, charge the new "
        "item in full or cancel the exchange.",
    )
    request_id: str | None = Field(
        default=None, max_length=200, description="Idempotency: a repeat finds the same return."
    )


class GetReturnRequest(_Request):
    return_id: str = Field(description="Return id.", min_length=1, max_length=64)


class CancelReturnRequest(GetReturnRequest):
    """The customer keeps the goods: cancel before the carrier has the parcel."""


class ReceiveReturnRequest(GetReturnRequest):
    """Staff: the return parcel arrived at the warehouse (the refund follows at once)."""


class ReturnLabelPdfRequest(GetReturnRequest):
    """The printable label (PDF) of one of the return's labels (the customer's own return, or
    any for an agent). A void label (the return cancelled, expired or turned into a warranty
    claim) is refused with `return_label_void`; an unknown one is `return_label_not_found`."""

    label_id: str = Field(description="The label's id (`labels[].label_id`).",
                          min_length=1, max_length=64)  # fmt: skip


class ReturnLabelPdfReply(BaseModel):
    return_id: str = Field(description="Return id.")
    label_id: str = Field(description="The label's id.")
    filename: str = Field(description="A file name for the download.",
                          examples=["return-label-R-3F2A9-C01B7-US-NJ.pdf"])  # fmt: skip
    pdf_base64: str = Field(description="The printable label (application/pdf), base64.")


class ListReturnsRequest(_Request):
    order_id: str = Field(description="Order id.", min_length=1, max_length=64)
    limit: int = Field(default=50, ge=1, le=200, description="Oldest first.")
    after: dict[CodeStr, IdStr] | None = Field(
        default=None, max_length=4, description="Position returned as `next` by the previous page."
    )


class ReturnedGoodsOut(BaseModel):
    """One customs line of the return parcel, declared as returned goods."""

    hs_code: str = Field(description="HS code.", examples=["4202.21"])
    origin_country: str = Field(description="Country of origin (ISO 3166-1 alpha-2).")
    description: str = Field(description="Goods description (category and product).")
    quantity: int = Field(description="Units going back.")
    declared_value: Amount = Field(description=_AMOUNT_DESC, examples=["231.01"])
    currency: str = Field(description="Currency of the declared value.")
    procedure: str = Field(description="Customs procedure: returned_goods.",
                           examples=["returned_goods"])  # fmt: skip


class ReturnLabelOut(BaseModel):
    """A free, prepaid return label (one per warehouse the goods go back to)."""

    carrier: str = Field(description="Carrier.", examples=["sandbox-post"])
    tracking_number: str = Field(description="Tracking number of the return parcel.")
    label_id: str = Field(description="Carrier's id of the label.")
    warehouse: str = Field(description="Warehouse the parcel goes back to (its code).",
                           examples=["US-NJ"])  # fmt: skip
    warehouse_name: str | None = Field(
        default=None, examples=["New Jersey, United States"],
        description="The warehouse's name, shown to people instead of its code.",
    )  # fmt: skip
    customs: list[ReturnedGoodsOut] = Field(
        description="Customs data (empty when the parcel crosses no border)."
    )


class RefundLineOut(BaseModel):
    style: str = Field(description="Style code.")
    quantity: int = Field(description="Units returned.")
    total: Amount = Field(description=_AMOUNT_DESC, examples=["288.17"])
    goods: Amount = Field(description=_AMOUNT_DESC, examples=["231.01"])
    shipping: Amount = Field(description="Outbound shipping refunded (0 for a change of mind).")
    duty: Amount = Field(description=_AMOUNT_DESC, examples=["9.13"])
    vat: Amount = Field(description=_AMOUNT_DESC, examples=["48.03"])
    reclaimable_duty: Amount = Field(description="Duty the brand can reclaim from customs.")
    reclaimable_import_vat: Amount = Field(
        description="Import VAT the brand can reclaim from customs."
    )


class RefundOut(BaseModel):
    """The refund by the rule: what was paid minus what the kept lines cost quoted alone."""

    currency: str = Field(description="Currency paid.", examples=["GBP"])
    total: Amount = Field(description=_AMOUNT_DESC, examples=["288.17"])
    goods: Amount = Field(description=_AMOUNT_DESC, examples=["231.01"])
    shipping: Amount = Field(description=_AMOUNT_DESC, examples=["0.00"])
    duty: Amount = Field(description=_AMOUNT_DESC, examples=["9.13"])
    vat: Amount = Field(description=_AMOUNT_DESC, examples=["48.03"])
    reclaimable_duty: Amount = Field(description="Duty the brand can reclaim.",
                                     examples=["7.39"])  # fmt: skip
    reclaimable_import_vat: Amount = Field(description="Import VAT the brand can reclaim.",
                                           examples=["50.75"])  # fmt: skip
    lines: list[RefundLineOut] = Field(description="Per returned line.")


class ExchangeParcelOut(BaseModel):
    """The new item's outbound parcel, booked once the returned parcel is in."""

    tracking_number: str = Field(description="Carrier tracking number.", examples=["SBX123456789"])
    carrier: str = Field(description="Carrier.", examples=["sandbox"])
    warehouse: str = Field(description="Warehouse it leaves from.", examples=["US-NJ"])


class ExchangeOut(BaseModel):
    style: str = Field(description="Style sent instead.")
    quantity: int = Field(description="Units.")
    warehouse: str = Field(description="Warehouse holding the reserved units.")
    replacement_total: Amount = Field(description="The new item's full landed quote.")
    difference_direction: Literal["charge", "refund", "none"] = Field(
        description="charge: the customer pays the difference at once; refund: it is paid back "
        "once the parcel is in."
    )
    difference: Amount = Field(description=_AMOUNT_DESC, examples=["50.48"])
    if_not_returned: Literal["charge", "cancel"] = Field(description="The customer's choice.")
    parcel_deadline: datetime = Field(description="When the customer's choice applies.")
    outcome: str | None = Field(default=None, description="What the deadline settled, if it did.")
    parcel: ExchangeParcelOut | None = Field(
        default=None, description="The new item's outbound parcel, once booked (else absent)."
    )


class ReturnStatusEntry(BaseModel):
    status: str = Field(description="Status reached.")
    at: datetime = Field(description="When.")


class ReturnView(BaseModel):
    """A return as its customer sees it."""

    return_id: str = Field(description="Return id.")
    return_number: str = Field(description="Return number (on the label and in messages).",
                               examples=["R-3F2A9-C01B7"])  # fmt: skip
    order_id: str = Field(description="Order the goods came from.")
    customer_id: str = Field(description="Customer.")
    agent_id: str | None = Field(default=None, description="Agent who started it (agents only).")
    status: str = Field(description="awaiting_parcel, in_transit, received, refunded, "
                        "cancelled, expired, converted_to_claim.", examples=["awaiting_parcel"])  # fmt: skip
    resolution: Literal["refund", "exchange"] = Field(description="refund or exchange.")
    lines: list[ReturnLineIn] = Field(description="Lines returned.")
    labels: list[ReturnLabelOut] = Field(description="Free return labels.")
    refund: RefundOut = Field(description="The refund breakdown (the rule's figures).")
    amount_refunded: Amount | None = Field(
        default=None, description="Paid back to the card (an exchange: the difference)."
    )
    refund_id: str | None = Field(default=None, description="Payment provider's refund id.")
    exchange: ExchangeOut | None = Field(default=None, description="The exchange, if one.")
    parcel_deadline: datetime = Field(description="The parcel must arrive by then.")
    created_at: datetime = Field(description="When requested.")
    timeline: list[ReturnStatusEntry] = Field(description="Statuses in order.")


class ReturnOut(ReturnView):
    """The service's reply."""


class ReturnList(BaseModel):
    items: list[ReturnOut] = Field(description="Returns of the order, oldest first.")
    next: dict[str, str] | None = Field(default=None, description="Position of the next page.")
