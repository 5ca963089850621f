"""Claims and the repair centre: requests and replies of `rpc.warranty.*`."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts.bounds import URL_MAX, IdStr
from shared.contracts.warranty.subjects import (
    Category,
    Cause,
    ClaimStatus,
    Component,
    Region,
    SlaState,
    _Request,
)

PHOTO_ID_PATTERN = r"^PH-[0-9A-Z]{20}$"  # a label photo kept by `POST /v1/labels/read`

# --- claims ------------------------------------------------------------------------------------


class OpenClaimRequest(_Request):
    """Open a warranty claim for one item, named by its label code or by the order line."""

    region: Region = Field(description="The customer's region; decides the repair centre.")
    components: list[Component] = Field(min_length=1, max_length=8, description="Damaged parts.")
    cause: Cause = Field(default="manufacturing_defect", description="What caused the damage.")
    label_code: str | None = Field(default=None, max_length=64, description="Label code as read.")
    order_line_id: str | None = Field(
        default=None, max_length=100, description="Order line, for items bought from us."
    )
    style_code: str | None = Field(default=None, max_length=8, description="Style (order lines).")
    category: Category | None = Field(
        default=None, description="Category, when the label has no style (six-character labels)."
    )
    purchase_date: date | None = Field(default=None, description="Date on the proof of purchase.")
    description: str = Field(default="", max_length=2000, description="The defect, in words.")
    photo_urls: list[Annotated[str, Field(max_length=URL_MAX)]] = Field(
        default_factory=list, max_length=10, description="Photos of the damage (URLs)."
    )
    photo_id: str | None = Field(
        default=None, max_length=23, pattern=PHOTO_ID_PATTERN, examples=["PH-7K3QX9M2B4C6D8F0G1H2"],
        description="The `photo_id` that `POST /v1/labels/read` answered: the label photo is "
        "kept as the claim's evidence. It must be the caller's own photo (agents: one an agent "
        "read, or the customer's they act for), not yet on a claim, of the same label code.",
    )  # fmt: skip
    request_id: str | None = Field(
        default=None,
        max_length=128,
        description="Stable id of the logical request (the gateway derives it from the caller and "
        "the Idempotency-Key): a retry with the same id returns the claim it created.",
    )

    @model_validator(mode="after")
    def _names_the_item(self) -> OpenClaimRequest:
        if not self.label_code and not (self.order_line_id and self.style_code):
            raise ValueError("give a label_code, or an order_line_id with its style_code")
        return self


class ClaimRef(_Request):
    claim_id: str = Field(min_length=1, max_length=64)


class ItemInfo(BaseModel):
    key: str = Field(description="Identity of the physical item (label or order line).")
    category: Category = Field(description="Warranty category of the item.")
    label_code: str | None = Field(
        default=None, description="Canonical label code, if the item has one."
    )
    order_line_id: str | None = Field(
        default=None, description="Order line, for items bought from us."
    )
    style_code: str | None = Field(default=None, description="Style code, when known.")
    product_name: str | None = Field(
        default=None, description="Catalogue name of the style, when known."
    )
    manufacture_date: date | None = Field(
        default=None, description="Monday of the ISO week of manufacture (from the label)."
    )
    purchase_date: date | None = Field(
        default=None, description="Date on the proof of purchase, if given."
    )


class DecisionInfo(BaseModel):
    covered: bool = Field(
        description="Whether the item was under warranty when the claim was opened."
    )
    rule: str = Field(description="The rule that decided (stable id).")
    policy_version: str | None = Field(description="Version of the policy applied, if any.")
    reasons: list[str] = Field(description="Human-readable reasons, in order.")


class ShipTo(BaseModel):
    region: Region = Field(description="Region of the repair centre.")
    name: str = Field(description="Name of the repair centre.")
    address: str = Field(
        description="The repair centre's postal address (the brand's, not the customer's)."
    )


class RmaInfo(BaseModel):
    number: str = Field(
        description="Return authorisation number.", examples=["RMA-20261123-7K3QX9"]
    )
    issued_at: datetime = Field(description="When the RMA was issued.")
    expires_at: datetime = Field(description="When the RMA lapses if the item has not arrived.")
    reminder_due_at: datetime = Field(description="When the customer is reminded to send the item.")
    ship_to: ShipTo = Field(description="Where to send the item.")
    form_path: str = Field(description="Where to download the PDF form.")


class SlaInfo(BaseModel):
    status: SlaState = Field(description="State of the one-week turnaround promise.")
    at_risk_at: datetime | None = Field(
        default=None, description="When the turnaround becomes at risk."
    )
    breached_at: datetime | None = Field(
        default=None, description="When the turnaround is breached."
    )


class PartUsed(BaseModel):
    part: str = Field(description="Part reserved for the repair.")
    style: str = Field(description="Style the part belongs to.")
    colour: str = Field(description="Colour of the part.")
    quantity: int = Field(default=1, description="Units of the part.")


class ResolutionInfo(BaseModel):
    kind: Literal[
        "repair", "replace_same", "replace_other", "awaiting_customer_choice", "store_credit"
    ] = Field(description="How the claim is resolved.")
    parts: list[PartUsed] = Field(default_factory=list, description="Parts reserved for a repair.")
    replacement_style: str | None = Field(default=None, description="Style sent as replacement.")
    options: list[str] = Field(default_factory=list, description="Styles the customer may choose.")
    credit_amount: str | None = Field(default=None, description="Decimal string.")
    credit_currency: str | None = Field(default=None, description="Currency of the store credit.")
    reservation_id: str | None = Field(default=None, description="Replacement stock reservation.")
    reasons: list[str] = Field(default_factory=list, description="Why it was resolved so.")


class ShipmentInfo(BaseModel):
    carrier: str = Field(description="Carrier taking the item back to the customer.")
    tracking_number: str = Field(description="Carrier's tracking number.")
    shipped_at: datetime = Field(description="When it was shipped back.")


class EvidencePhotoInfo(BaseModel):
    """The label photo kept as the claim's evidence (metadata stripped)."""

    photo_id: str = Field(description="Id of the photo.", examples=["PH-7K3QX9M2B4C6D8F0G1H2"])
    path: str = Field(
        description="Where agents and the claim's owner fetch the image.",
        examples=["/v1/claims/CLM-0123456789/photo"],
    )


class ClaimOwnerView(BaseModel):
    """A warranty claim as its owner (the customer) sees it."""

    # A reply always carries every field (null when unset): published as required.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    id: str = Field(description="Claim id.")
    status: ClaimStatus = Field(description="Where the claim is in its life.")
    region: Region = Field(description="The customer's region; decides the repair centre.")
    item: ItemInfo = Field(description="The item claimed for.")
    components: list[str] = Field(description="Damaged parts.")
    cause: str = Field(description="What caused the damage.")
    description: str = Field(default="", description="The defect, in the customer's words.")
    submitted_at: datetime = Field(description="When the claim was opened.")
    decision: DecisionInfo | None = Field(default=None, description="The coverage decision.")
    rma: RmaInfo | None = Field(default=None, description="Return authorisation, once issued.")
    received_at: datetime | None = Field(default=None, description="When the item arrived.")
    sla: SlaInfo = Field(description="The one-week turnaround promise.")
    resolution: ResolutionInfo | None = Field(
        default=None, description="Repair or replace plan, once inspected."
    )
    shipment: ShipmentInfo | None = Field(default=None, description="Shipment back, once sent.")
    evidence_photo: EvidencePhotoInfo | None = Field(
        default=None, description="The label photo the claim was opened from, if any."
    )
    version: int = Field(description="Increases with every change.")


class ClaimView(ClaimOwnerView):
    """A warranty claim as an agent or the repair centre sees it: with owner and review reasons."""

    customer_id: str = Field(description="The customer the claim belongs to.")
    review_reasons: list[str] = Field(
        default_factory=list, description="Why the claim was flagged for review."
    )
    allowed_actions: list[str] = Field(description="Transitions possible from the current status.")


class ListClaimsRequest(_Request):
    status: list[ClaimStatus] | None = Field(default=None, description="Only these statuses.")
    sla: Literal["at_risk", "breached"] | None = Field(
        default=None, description="Only claims whose turnaround is at risk or breached."
    )
    customer_id: IdStr | None = Field(default=None, description="Agents: one customer's claims.")
    rma: str | None = Field(
        default=None, max_length=32, description="Only the claim with this RMA number."
    )
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)
    order: Literal["newest", "oldest"] = Field("newest", description="By opening: which first.")


class ClaimList(BaseModel):
    items: list[ClaimView]
    next_offset: int | None = Field(description="Offset of the next page, null on the last.")


class TimelineEntryView(BaseModel):
    """One step of a claim as its owner sees it: when, from which status to which, and why."""

    at: datetime = Field(description="When the step happened.")
    from_status: ClaimStatus | None = Field(description="Status before; null for the first step.")
    to_status: ClaimStatus = Field(description="Status after.")
    actor_type: str = Field(description="customer, agent, partner or system.")
    # To its owner the step to needs_review says only that an agent checks (reasons: agents').
    reason: str = Field(description="Why, in words.")


class TimelineEntry(TimelineEntryView):
    """One step of a claim as an agent sees it: with who took it."""

    actor_id: str = Field(description="Id of the customer, agent, partner or system that acted.")


class Timeline(BaseModel):
    """Every step of a claim: who, when, why."""

    claim_id: str = Field(description="Claim id.")
    entries: list[TimelineEntry] = Field(description="Steps, oldest first.")


class RmaPdf(BaseModel):
    filename: str
    content_type: str = "application/pdf"
    content_base64: str


class DecideClaimRequest(ClaimRef):
    """An agent's decision on a claim flagged for review."""

    approve: bool
    reason: str = Field(min_length=1, max_length=500)


class CancelClaimRequest(ClaimRef):
    reason: str = Field(default="", max_length=500)


class StartReplacementRequest(ClaimRef):
    style_code: str | None = Field(
        default=None, max_length=8, description="Another style chosen by the customer."
    )
    store_credit: bool = Field(default=False, description="Settle with store credit instead.")
    credit_amount: Decimal | None = Field(
        default=None,
        gt=0,
        max_digits=10,
        decimal_places=2,
        description="Store credit set by the agent, only when the style has no price in the "
        "customer's region (otherwise the policy fixes it at the regional price).",
    )


class RecordShipmentRequest(ClaimRef):
    carrier: str = Field(min_length=1, max_length=60, examples=["UPS"])
    tracking_number: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9-]+$")


class SlaItem(BaseModel):
    """A claim at the repair centre and its turnaround clock."""

    claim_id: str = Field(description="Claim id.")
    status: ClaimStatus = Field(description="Where the claim is in its life.")
    region: Region = Field(description="Region of the repair centre.")
    received_at: datetime = Field(description="When the item arrived (the clock started).")
    at_risk_at: datetime = Field(description="When the turnaround becomes at risk.")
    breached_at: datetime = Field(description="When the turnaround is breached.")
    sla: SlaState = Field(description="State of the turnaround promise now.")


class SlaDashboard(BaseModel):
    """Claims at the repair centre, most urgent first."""

    as_of: datetime = Field(description="When the board was computed.")
    items: list[SlaItem] = Field(description="Claims at the repair centre, most urgent first.")
