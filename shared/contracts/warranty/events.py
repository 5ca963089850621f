"""Events of the warranty service (`warranty.claim.*`): ids, codes and business facts only."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from shared.contracts.registry import event
from shared.contracts.warranty.claims import PartUsed
from shared.contracts.warranty.subjects import Category, ClaimStatus, Region, SlaState

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
