"""The facts a claim's events repeat: its ids, then those of the stage it is in.

Each function returns keyword arguments for the event dataclasses of domain/events.py; `seq` is
the claim version the event brings (the aggregate bumps `version` as it queues the event).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from .claim_values import Decision
from .sla import Timings, sla_due

if TYPE_CHECKING:
    from .claims import Claim


def common(claim: Claim, at: datetime) -> dict[str, Any]:
    return {
        "claim_id": claim.id, "customer_id": claim.customer_id, "status": claim.status,
        "region": claim.region, "style_code": claim.item.style_code,
        "label_code": claim.item.label_code, "occurred_at": at, "seq": claim.version + 1,
    }  # fmt: skip


def decided(claim: Claim, decision: Decision, at: datetime) -> dict[str, Any]:
    """Codes only: the sentences (and an agent's own words) stay in this service."""
    return common(claim, at) | {
        "rule": decision.rule, "policy_version": decision.policy_version,
        "reasons": decision.codes,
    }  # fmt: skip


def with_rma(claim: Claim, at: datetime) -> dict[str, Any]:
    rma = claim.rma
    return common(claim, at) | {
        "rma_number": rma.number if rma else None,
        "rma_expires_at": rma.expires_at if rma else None,
    }


def at_centre(claim: Claim, at: datetime, timings: Timings) -> dict[str, Any]:
    """While the item is at the repair centre: when it arrived, and the ship-back deadline."""
    assert claim.received_at is not None, "only a received item is at the repair centre"
    promised_by = sla_due(claim.received_at, timings).breached_at
    return common(claim, at) | {"received_at": claim.received_at, "promised_by": promised_by}
