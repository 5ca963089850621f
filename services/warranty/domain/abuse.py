"""Abuse rules: one open claim per physical item; unusual patterns go to an agent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .errors import ClaimAlreadyOpen

WINDOW_DAYS = 365
MAX_CLAIMS_IN_WINDOW = 2

OTHER_CUSTOMER = "label_claimed_by_other_customer"
TOO_MANY_CLAIMS = "too_many_claims_in_year"


@dataclass(frozen=True)
class PriorClaim:
    claim_id: str
    customer_id: str
    submitted_at: datetime
    open: bool
    cancelled: bool = False


@dataclass(frozen=True)
class ReviewFlag:
    rule: str
    reason: str


def screen_new_claim(
    *,
    item_key: str,
    customer_id: str,
    prior: Iterable[PriorClaim],
    now: datetime,
    window_days: int = WINDOW_DAYS,
    max_claims: int = MAX_CLAIMS_IN_WINDOW,
    sees_every_claim: bool = False,
) -> tuple[ReviewFlag, ...]:
    """Raise `ClaimAlreadyOpen` or return the reasons an agent must review the new claim.

    The open claim's id is named only to its owner or to an agent (`sees_every_claim`):
    another customer must not learn it."""
    prior = list(prior)
    still_open = [p for p in prior if p.open]
    if still_open:
        details = {"item_key": item_key}
        if sees_every_claim or still_open[0].customer_id == customer_id:
            details["claim_id"] = still_open[0].claim_id
        raise ClaimAlreadyOpen("This label is under an open claim.", details=details)
    flags = []
    if any(p.customer_id != customer_id for p in prior):
        flags.append(ReviewFlag(OTHER_CUSTOMER, "The same label was claimed by another customer."))
    since = now - timedelta(days=window_days)
    recent = [p for p in prior if p.submitted_at > since and not p.cancelled]
    if len(recent) + 1 > max_claims:
        flags.append(
            ReviewFlag(
                TOO_MANY_CLAIMS,
                f"More than {max_claims} claims on this item within {window_days} days.",
            )
        )
    return tuple(flags)
