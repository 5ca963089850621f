"""What happened to a claim or a batch: one frozen dataclass per event the service publishes.

Each event carries exactly the ids, codes and business facts its contract in
`shared.contracts.warranty` publishes, and nothing else: no names, emails or phone numbers, and
never words a person wrote (an agent's reason stays in the claim's timeline). Catalogue names and
API paths are added at the edge (adapters/wire.py) from the style code and the claim id.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from .claim_states import ClaimStatus


@dataclass(frozen=True, kw_only=True)
class ClaimEvent:
    """Facts every claim event carries; `seq` is the claim's version after the event."""

    name: ClassVar[str]  # the subject suffix: warranty.claim.<name>
    claim_id: str
    customer_id: str
    status: ClaimStatus
    region: str
    style_code: str | None
    label_code: str | None
    occurred_at: datetime
    seq: int  # with the claim id, a stable event id: a retried handler cannot publish twice


@dataclass(frozen=True, kw_only=True)
class ClaimSubmitted(ClaimEvent):
    name = "submitted"
    category: str
    components: tuple[str, ...]
    cause: str
    order_line_id: str | None


@dataclass(frozen=True, kw_only=True)
class ClaimDecided(ClaimEvent):
    rule: str
    policy_version: str | None
    reasons: tuple[str, ...]  # codes of the rules that decided, never sentences


@dataclass(frozen=True, kw_only=True)
class ClaimApproved(ClaimDecided):
    name = "approved"


@dataclass(frozen=True, kw_only=True)
class ClaimRejected(ClaimDecided):
    name = "rejected"


@dataclass(frozen=True, kw_only=True)
class ClaimFlagged(ClaimEvent):
    """The claim needs an agent's review."""

    name = "flagged"
    review_reasons: tuple[str, ...]  # codes of the rules that asked for the review


@dataclass(frozen=True, kw_only=True)
class ClaimRmaEvent(ClaimEvent):
    rma_number: str | None
    rma_expires_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class ClaimRmaIssued(ClaimRmaEvent):
    name = "rma_issued"
    # The brand's repair centre, where the customer sends the item (not personal data).
    repair_centre_region: str
    repair_centre_name: str
    repair_centre_address: str


@dataclass(frozen=True, kw_only=True)
class ClaimRmaReminder(ClaimRmaEvent):
    name = "rma_reminder"


@dataclass(frozen=True, kw_only=True)
class ClaimLapsed(ClaimRmaEvent):
    name = "lapsed"


@dataclass(frozen=True, kw_only=True)
class ClaimAtCentreEvent(ClaimEvent):
    """While the item is at the repair centre: when it arrived and the ship-back deadline."""

    received_at: datetime | None
    promised_by: datetime | None


@dataclass(frozen=True, kw_only=True)
class ClaimReceived(ClaimAtCentreEvent):
    name = "received"
    rma_number: str | None


@dataclass(frozen=True, kw_only=True)
class ClaimInspectionStarted(ClaimAtCentreEvent):
    name = "inspection_started"


@dataclass(frozen=True, kw_only=True)
class ClaimRepairStarted(ClaimAtCentreEvent):
    name = "repair_started"
    parts: tuple[dict[str, Any], ...]  # part, style, colour, quantity of each reserved part
    components: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ClaimReplacementStarted(ClaimAtCentreEvent):
    name = "replacement_started"
    replacement_style: str | None
    reservation_id: str | None


@dataclass(frozen=True, kw_only=True)
class ClaimShippedBack(ClaimAtCentreEvent):
    name = "shipped_back"
    carrier: str
    tracking_number: str
    resolution: str | None  # repair, replace_same or replace_other
    sla: str  # met or missed


@dataclass(frozen=True, kw_only=True)
class ClaimSlaAtRisk(ClaimAtCentreEvent):
    name = "sla_at_risk"


@dataclass(frozen=True, kw_only=True)
class ClaimSlaBreached(ClaimAtCentreEvent):
    name = "sla_breached"


@dataclass(frozen=True, kw_only=True)
class ClaimStoreCreditIssued(ClaimEvent):
    name = "store_credit_issued"
    amount: str | None  # decimal string
    currency: str | None


@dataclass(frozen=True, kw_only=True)
class ClaimDelivered(ClaimEvent):
    name = "delivered"


@dataclass(frozen=True, kw_only=True)
class ClaimClosed(ClaimEvent):
    name = "closed"


@dataclass(frozen=True, kw_only=True)
class ClaimCancelled(ClaimEvent):
    name = "cancelled"
    cancelled_by: str  # customer, agent, partner or system


@dataclass(frozen=True, kw_only=True)
class BatchFlagged:
    """A production batch's defect rate is significantly above the baseline (announced once)."""

    name: ClassVar[str] = "batch_flagged"
    batch_id: str
    factory: str
    iso_week: str
    style_code: str
    claims: int
    units: int
    defect_rate: float  # claims / units
    baseline_rate: float
    p_value: float
    q_value: float
    fdr_level: float
    flagged_at: datetime


WarrantyEvent = ClaimEvent | BatchFlagged
