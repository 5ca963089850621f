"""Claim states, the transition table, and the records every transition leaves behind."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from shared.actor import Actor


class ClaimStatus(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    NEEDS_REVIEW = "needs_review"
    AWAITING_ITEM = "awaiting_item"
    RECEIVED = "received"
    INSPECTING = "inspecting"
    REPAIRING = "repairing"
    REPLACING = "replacing"
    SHIPPED_BACK = "shipped_back"
    DELIVERED = "delivered"
    CLOSED = "closed"
    LAPSED = "lapsed"
    CANCELLED = "cancelled"


S = ClaimStatus
TERMINAL = frozenset({S.REJECTED, S.CLOSED, S.LAPSED, S.CANCELLED})
# While the item is at the repair centre the one-week clock runs.
SLA_RUNNING = frozenset({S.RECEIVED, S.INSPECTING, S.REPAIRING, S.REPLACING})


@dataclass(frozen=True)
class Move:
    sources: frozenset[ClaimStatus]
    target: ClaimStatus
    event: str


TRANSITIONS: Mapping[str, Move] = {
    "approve": Move(frozenset({S.SUBMITTED, S.NEEDS_REVIEW}), S.APPROVED, "approved"),
    "reject": Move(frozenset({S.SUBMITTED, S.NEEDS_REVIEW}), S.REJECTED, "rejected"),
    "flag": Move(frozenset({S.SUBMITTED}), S.NEEDS_REVIEW, "flagged"),
    "issue_rma": Move(frozenset({S.APPROVED}), S.AWAITING_ITEM, "rma_issued"),
    "receive": Move(frozenset({S.AWAITING_ITEM}), S.RECEIVED, "received"),
    "start_inspection": Move(frozenset({S.RECEIVED}), S.INSPECTING, "inspection_started"),
    "start_repair": Move(frozenset({S.INSPECTING}), S.REPAIRING, "repair_started"),
    "start_replacement": Move(frozenset({S.INSPECTING}), S.REPLACING, "replacement_started"),
    "issue_store_credit": Move(frozenset({S.INSPECTING}), S.CLOSED, "store_credit_issued"),
    "ship_back": Move(frozenset({S.REPAIRING, S.REPLACING}), S.SHIPPED_BACK, "shipped_back"),
    "deliver": Move(frozenset({S.SHIPPED_BACK}), S.DELIVERED, "delivered"),
    "close": Move(frozenset({S.DELIVERED}), S.CLOSED, "closed"),
    "lapse": Move(frozenset({S.AWAITING_ITEM}), S.LAPSED, "lapsed"),
    "cancel": Move(
        frozenset({S.SUBMITTED, S.APPROVED, S.NEEDS_REVIEW, S.AWAITING_ITEM}),
        S.CANCELLED,
        "cancelled",
    ),
}


# Who acts when nobody did: the service's own timers and automatic decisions.
SYSTEM = Actor(type="system", id="warranty")


@dataclass(frozen=True)
class Transition:
    from_status: ClaimStatus | None
    to_status: ClaimStatus
    actor: Actor
    at: datetime
    reason: str = ""
