"""Public contracts of the warranty service: RPC requests/replies and `warranty.claim.*` events.

The gateway builds its HTTP models on these; the notifications service and partners read the
events. Events carry ids and business facts only: no names, emails, phone numbers or personal
addresses (the repair centre's address is the brand's, not the customer's).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.contracts.bounds import URL_MAX, IdStr
from shared.contracts.registry import event

SOURCE = "/concierge/warranty"

Region = Literal["US", "UK", "EU"]
Category = Literal["handbag", "small_leather_goods", "tech_accessory", "stationery"]
Component = Literal[
    "handles", "straps", "piping", "stitching", "zips", "hardware", "lining", "edge_paint"
]
Cause = Literal[
    "manufacturing_defect", "wear", "accident", "water", "heat", "alteration", "lost_parts"
]
ClaimStatus = Literal[
    "submitted", "approved", "rejected", "needs_review", "awaiting_item", "received",
    "inspecting", "repairing", "replacing", "shipped_back", "delivered", "closed", "lapsed",
    "cancelled",
]  # fmt: skip
SlaState = Literal["not_started", "on_track", "at_risk", "breached", "met", "missed"]


class Subjects:
    DECODE_LABEL = "rpc.warranty.decode_label"
    POLICY = "rpc.warranty.policy"
    POLICY_HTML = "rpc.warranty.policy_html"
    CHECK_COVERAGE = "rpc.warranty.check_coverage"
    OPEN_CLAIM = "rpc.warranty.open_claim"
    GET_CLAIM = "rpc.warranty.get_claim"
    LIST_CLAIMS = "rpc.warranty.list_claims"
    CLAIM_TIMELINE = "rpc.warranty.claim_timeline"
    RMA_PDF = "rpc.warranty.rma_pdf"
    DECIDE_CLAIM = "rpc.warranty.decide_claim"
    CANCEL_CLAIM = "rpc.warranty.cancel_claim"
    RECORD_RECEIPT = "rpc.warranty.record_receipt"
    START_INSPECTION = "rpc.warranty.start_inspection"
    START_REPAIR = "rpc.warranty.start_repair"
    START_REPLACEMENT = "rpc.warranty.start_replacement"
    RECORD_SHIPMENT = "rpc.warranty.record_shipment"
    RECORD_DELIVERY = "rpc.warranty.record_delivery"
    SLA_DASHBOARD = "rpc.warranty.sla_dashboard"


def claim_subject(name: str) -> str:
    return f"warranty.claim.{name}"


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- labels ------------------------------------------------------------------------------------


class DecodeLabelRequest(_Request):
    """A label code as read from the lining: case, spaces, hyphens, dots and slashes are ignored."""

    code: str = Field(
        min_length=1,
        max_length=64,
        description="The code as read, e.g. `SD-2619-VT01-00042A` or `SD4129`.",
        examples=["sd 2551 vto2 0o12o z"],
    )


class FactoryInfo(BaseModel):
    code: str = Field(description="Two-letter factory code.", examples=["SD"])
    country: str = Field(description="ISO country of the factory.", examples=["US"])
    name: str = Field(description="Factory name.", examples=["San Diego workshop"])


class ProductInfo(BaseModel):
    style: str = Field(description="Style code.", examples=["VT02"])
    name: str = Field(description="Catalogue name of the style.")
    category: Category = Field(description="Warranty category of the style.")
    colour: str = Field(description="Colour of the style.")


class CharChangeInfo(BaseModel):
    position: int = Field(description="1-based position in the code without separators.")
    part: str = Field(description="factory, year, week, style, serial or check.")
    read: str = Field(description="Character as read.")
    corrected: str = Field(description="Character after correction.")


class CorrectionInfo(BaseModel):
    applied: bool = Field(description="Whether any look-alike character was corrected.")
    original: str = Field(description="The code as read (normalised).")
    corrected: str = Field(description="The code after correction.")
    changes: list[CharChangeInfo] = Field(
        description="Each character that was corrected.", default_factory=list
    )


class DecodedLabel(BaseModel):
    """What a label says: when and where the item was made, and which style it is."""

    generation: Literal[1, 2] = Field(description="1: six characters (2012-2019); 2: from 2020.")
    code: str = Field(description="Canonical printed form.", examples=["SD-2551-VT02-00120Z"])
    factory: FactoryInfo = Field(description="Where the item was made.")
    year: int = Field(description="Year of manufacture.")
    week: int = Field(description="ISO week of manufacture.")
    manufacture_date: date = Field(description="Monday of the ISO week of manufacture.")
    style_code: str | None = Field(default=None, description="Style code (generation 2 only).")
    product: ProductInfo | None = Field(
        default=None, description="Catalogue product, when the style is known."
    )
    serial: str | None = Field(default=None, description="Unit serial (generation 2 only).")
    correction: CorrectionInfo = Field(
        description="Look-alike characters repaired in the code as read."
    )


# --- policy and coverage -----------------------------------------------------------------------


class PolicyHtml(BaseModel):
    html: str = Field(description="The published policy as a readable HTML page.")


class CoverageCheckRequest(_Request):
    """Is the item under warranty? Give the label code, or the style for an item bought from us."""

    region: Region = Field(description="The customer's region (not the item's).")
    label_code: str | None = Field(default=None, max_length=64, description="Label code as read.")
    style_code: str | None = Field(
        default=None, max_length=8, description="Style, when there is no label code."
    )
    category: Category | None = Field(
        default=None, description="Category, when neither label nor style names a known style."
    )
    purchase_date: date | None = Field(default=None, description="Date on the proof of purchase.")

    @model_validator(mode="after")
    def _something_to_check(self) -> CoverageCheckRequest:
        if not (self.label_code or self.style_code or self.category):
            raise ValueError("give a label_code, a style_code or a category")
        return self


class CoverageReply(BaseModel):
    """The coverage decision, with the policy version and the rule that decided it."""

    covered: bool = Field(description="Whether the item is under warranty today.")
    rule: str = Field(
        description="purchase_date, manufacture_plus_shelf, regional_floor_uk_eu, "
        "category_not_covered or expired."
    )
    start_rule: str = Field(
        description="How the start was found: purchase_date or manufacture_plus_shelf."
    )
    policy_version: str = Field(
        description="Version of the published policy applied.", examples=["2024-01"]
    )
    category: Category = Field(description="Warranty category of the item.")
    region: Region = Field(description="The customer's region.")
    coverage_start: date = Field(description="First covered day.")
    coverage_end: date | None = Field(description="Last covered day; null if never covered.")
    months: int | None = Field(description="Length of the term in months; null if never covered.")
    floor_applied: bool = Field(description="The UK/EU statutory minimum lengthened the term.")
    reasons: list[str] = Field(description="Human-readable reasons, in order.")
    checked_on: date = Field(description="The day the check was made.")
    label: DecodedLabel | None = Field(default=None, description="The decoded label, if given.")


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


class ClaimOwnerView(BaseModel):
    """A warranty claim as its owner (the customer) sees it."""

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
    received_at: datetime | None = Field(
        default=None, description="When the repair centre received the item."
    )
    sla: SlaInfo = Field(description="The one-week turnaround promise.")
    resolution: ResolutionInfo | None = Field(
        default=None, description="Repair or replace plan, once inspected."
    )
    shipment: ShipmentInfo | None = Field(default=None, description="Shipment back, once sent.")
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


class ClaimList(BaseModel):
    items: list[ClaimView]
    next_offset: int | None = Field(description="Offset of the next page, null on the last.")


class TimelineEntryView(BaseModel):
    """One step of a claim as its owner sees it: when, from which status to which, and why."""

    at: datetime = Field(description="When the step happened.")
    from_status: ClaimStatus | None = Field(description="Status before; null for the first step.")
    to_status: ClaimStatus = Field(description="Status after.")
    actor_type: str = Field(description="customer, agent, partner or system.")
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


# --- events ------------------------------------------------------------------------------------


class ClaimEventData(BaseModel):
    """Fields every `warranty.claim.*` event carries."""

    claim_id: str = Field(description="The claim.")
    customer_id: str = Field(description="The customer (an id, never contact details).")
    status: ClaimStatus = Field(description="Status of the claim after the event.")
    region: Region = Field(description="The customer's region.")
    style_code: str | None = Field(default=None, description="Style of the item, when known.")
    product_name: str | None = Field(default=None, description="Catalogue name of the style.")
    label_code: str | None = Field(default=None, description="Canonical label code, if any.")
    occurred_at: datetime = Field(description="When it happened (UTC).")


@event("warranty.claim.submitted", partner_visible=True)
class ClaimSubmitted(ClaimEventData):
    """A customer (or an agent for them) opened a claim."""

    category: Category = Field(description="Warranty category of the item.")
    components: list[str] = Field(description="Damaged components named in the claim.")
    cause: str = Field(description="Cause of damage as reported.")
    order_line_id: str | None = Field(
        default=None, description="Order line, for items bought from us."
    )


class _Decided(ClaimEventData):
    rule: str = Field(description="Stable id of the rule that decided.")
    policy_version: str | None = Field(description="Policy version applied.")
    reasons: list[str] = Field(
        description="Reason codes, in order: the rules that decided (e.g. "
        "`manufacture_plus_shelf`, `regional_floor_uk_eu`, `component_covered`, `expired`, "
        "`excluded_cause`, `agent_review`). Never text written by a person: an agent's own "
        "words stay in the warranty service (claim timeline).",
        examples=[["manufacture_plus_shelf", "component_covered"]],
    )


@event("warranty.claim.approved", partner_visible=True)
class ClaimApproved(_Decided):
    """The claim is covered."""


@event("warranty.claim.rejected", partner_visible=True)
class ClaimRejected(_Decided):
    """The claim is not covered."""


@event("warranty.claim.flagged", partner_visible=True)
class ClaimFlagged(ClaimEventData):
    """The claim needs an agent's review (abuse rules); the claim is now `needs_review`."""

    review_reasons: list[str] = Field(
        description="Codes of the rules that want an agent's review "
        "(`label_claimed_by_other_customer`, `too_many_claims_in_year`).",
        examples=[["label_claimed_by_other_customer"]],
    )


class _WithRma(ClaimEventData):
    rma_number: str = Field(description="Return authorisation number.")
    rma_expires_at: datetime | None = Field(default=None, description="When the RMA lapses.")


@event("warranty.claim.rma_issued", partner_visible=True)
class ClaimRmaIssued(_WithRma):
    """A return authorisation was issued; the form can be downloaded."""

    repair_centre_region: Region = Field(description="Region of the repair centre.")
    repair_centre_name: str = Field(description="Name of the repair centre.")
    repair_centre_address: str = Field(
        description="The brand's repair centre address (not personal)."
    )
    rma_form_path: str = Field(description="API path of the PDF form.")


@event("warranty.claim.rma_reminder", partner_visible=False)
class ClaimRmaReminder(_WithRma):
    """The RMA expires soon and the item has not arrived."""


@event("warranty.claim.lapsed", partner_visible=True)
class ClaimLapsed(_WithRma):
    """The RMA expired before the item arrived."""


class _AtCentre(ClaimEventData):
    received_at: datetime | None = Field(default=None, description="Arrival at the repair centre.")
    promised_by: datetime | None = Field(default=None, description="Ship-back deadline.")


@event("warranty.claim.received", partner_visible=True)
class ClaimReceived(_AtCentre):
    """The item arrived at the repair centre; the one-week clock started."""

    rma_number: str | None = Field(default=None, description="Return authorisation number.")


@event("warranty.claim.inspection_started", partner_visible=True)
class ClaimInspectionStarted(_AtCentre):
    """The repair centre is inspecting the item."""


@event("warranty.claim.repair_started", partner_visible=True)
class ClaimRepairStarted(_AtCentre):
    """The item is being repaired with the parts listed."""

    parts: list[PartUsed] = Field(description="Repair parts reserved for this claim.")
    components: list[str] = Field(description="Components being repaired.")


@event("warranty.claim.replacement_started", partner_visible=True)
class ClaimReplacementStarted(_AtCentre):
    """A replacement is being sent."""

    replacement_style: str = Field(description="Style sent as the replacement.")
    replacement_name: str | None = Field(default=None, description="Its catalogue name.")
    reservation_id: str | None = Field(default=None, description="Stock reservation (orders).")


@event("warranty.claim.store_credit_issued", partner_visible=True)
class ClaimStoreCreditIssued(ClaimEventData):
    """Neither repair nor replacement was possible: store credit was issued; the claim is closed."""

    amount: str | None = Field(description="Decimal string; null when an agent sets it.")
    currency: str | None = Field(description="ISO currency of the credit.")


@event("warranty.claim.shipped_back", partner_visible=True)
class ClaimShippedBack(_AtCentre):
    """The item (or its replacement) is on its way back."""

    carrier: str = Field(description="Carrier name.")
    tracking_number: str = Field(description="Carrier tracking number.")
    resolution: str | None = Field(default=None, description="repair, replace_same, replace_other.")
    sla: SlaState = Field(description="met or missed: shipped within the turnaround or not.")


@event("warranty.claim.delivered", partner_visible=True)
class ClaimDelivered(ClaimEventData):
    """The carrier delivered the item to the customer."""


@event("warranty.claim.closed", partner_visible=True)
class ClaimClosed(ClaimEventData):
    """The claim is complete."""


@event("warranty.claim.cancelled", partner_visible=True)
class ClaimCancelled(ClaimEventData):
    """The claim was withdrawn."""

    cancelled_by: str = Field(description="customer, agent or system.")


@event("warranty.claim.sla_at_risk", partner_visible=True)
class ClaimSlaAtRisk(_AtCentre):
    """Five days at the repair centre: the one-week promise is at risk."""


@event("warranty.claim.sla_breached", partner_visible=True)
class ClaimSlaBreached(_AtCentre):
    """Seven days at the repair centre and not shipped back."""


EVENT_MODELS: dict[str, type[ClaimEventData]] = {
    "submitted": ClaimSubmitted,
    "approved": ClaimApproved,
    "rejected": ClaimRejected,
    "flagged": ClaimFlagged,
    "rma_issued": ClaimRmaIssued,
    "rma_reminder": ClaimRmaReminder,
    "lapsed": ClaimLapsed,
    "received": ClaimReceived,
    "inspection_started": ClaimInspectionStarted,
    "repair_started": ClaimRepairStarted,
    "replacement_started": ClaimReplacementStarted,
    "store_credit_issued": ClaimStoreCreditIssued,
    "shipped_back": ClaimShippedBack,
    "delivered": ClaimDelivered,
    "closed": ClaimClosed,
    "cancelled": ClaimCancelled,
    "sla_at_risk": ClaimSlaAtRisk,
    "sla_breached": ClaimSlaBreached,
}
