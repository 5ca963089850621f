"""The values a claim is made of: the item claimed for, the coverage decision, the shipment back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class ClaimItem:
    category: str
    label_code: str | None = None
    order_line_id: str | None = None
    style_code: str | None = None
    manufacture_date: date | None = None
    purchase_date: date | None = None

    @property
    def key(self) -> str:
        """Identifies the physical item for the one-open-claim rule."""
        return f"label:{self.label_code}" if self.label_code else f"order_line:{self.order_line_id}"


@dataclass(frozen=True)
class Decision:
    covered: bool
    rule: str
    policy_version: str | None
    reasons: tuple[str, ...]  # sentences for agents and the claim view; never published
    coverage_end: date | None = None
    # What events carry instead of `reasons`: stable codes, never text written by a person.
    reason_codes: tuple[str, ...] = ()

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes published for this decision (the rule alone when it named no reasons)."""
        return self.reason_codes or (self.rule,)


@dataclass(frozen=True)
class Shipment:
    carrier: str
    tracking_number: str
