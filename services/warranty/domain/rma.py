"""Return authorisations: the number the customer writes on the parcel, where to send it, until when."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from shared.errors import DomainError, ErrorKind

from .reference import RepairCentre

# Crockford's base32 leaves out I, L, O and U so a number read over the phone cannot be misheard.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TOKEN_LENGTH = 6
VALIDITY_DAYS = 30
REMINDER_DAYS_BEFORE_EXPIRY = 5


class NoRepairCentre(DomainError):
    code = "rma_no_repair_centre"
    kind = ErrorKind.INVALID


def rma_number(issued_on: date, entropy: bytes) -> str:
    """`RMA-YYYYMMDD-XXXXXX`; `entropy` (at least 4 random bytes) gives 30 bits for the suffix."""
    if len(entropy) < 4:
        raise ValueError("rma_number needs at least 4 bytes of entropy")
    value = int.from_bytes(entropy[:4], "big")
    token = "".join(_ALPHABET[(value >> (5 * i)) & 31] for i in reversed(range(TOKEN_LENGTH)))
    return f"RMA-{issued_on:%Y%m%d}-{token}"


@dataclass(frozen=True)
class Rma:
    number: str
    claim_id: str
    issued_at: datetime
    expires_at: datetime
    reminder_due_at: datetime
    repair_centre: RepairCentre

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expires_at

    def reminder_due(self, now: datetime) -> bool:
        return self.reminder_due_at <= now < self.expires_at


def issue_rma(
    *,
    claim_id: str,
    region: str,
    repair_centres: Mapping[str, RepairCentre],
    issued_at: datetime,
    entropy: bytes,
    validity: timedelta = timedelta(days=VALIDITY_DAYS),
    reminder_before_expiry: timedelta = timedelta(days=REMINDER_DAYS_BEFORE_EXPIRY),
) -> Rma:
    centre = repair_centres.get(region)
    if centre is None:
        raise NoRepairCentre(
            "No repair centre serves this region.",
            details={"region": region, "regions": sorted(repair_centres)},
        )
    expires_at = issued_at + validity
    return Rma(
        number=rma_number(issued_at.date(), entropy),
        claim_id=claim_id,
        issued_at=issued_at,
        expires_at=expires_at,
        reminder_due_at=expires_at - reminder_before_expiry,
        repair_centre=centre,
    )


@dataclass(frozen=True)
class RmaForm:
    """What the printable return authorisation form says."""

    rma_number: str
    claim_id: str
    issued_at: datetime
    expires_at: datetime
    item_label: str  # label code or order line
    product_name: str
    components: tuple[str, ...]
    decision_summary: str
    ship_to_name: str
    ship_to_address: str
