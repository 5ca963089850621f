"""The warranty claim aggregate and its state machine.

Every change goes through `_move` (or `_record` for facts that do not change the state): it checks
the transition table, records who did it, when and why, and queues a domain event named like the
subject suffix (`warranty.claim.<name>`). A refused transition raises and changes nothing. The
aggregate never reads a clock: callers pass `at`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from .claim_states import (
    SLA_RUNNING,
    SYSTEM,
    TERMINAL,
    TRANSITIONS,
    Actor,
    ClaimEvent,
    ClaimStatus,
    Move,
    Transition,
)
from .errors import ClaimInvalidTransition, RmaNotExpired
from .rma import Rma
from .sla import DEFAULT_TIMINGS, SlaStatus, Timings, sla_due, sla_status

S = ClaimStatus

__all__ = [
    "SYSTEM",
    "Actor",
    "Claim",
    "ClaimEvent",
    "ClaimItem",
    "ClaimStatus",
    "Decision",
    "Move",
    "Shipment",
    "Transition",
]


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


@dataclass(frozen=True)
class Shipment:
    carrier: str
    tracking_number: str


@dataclass
class Claim:
    id: str
    customer_id: str
    region: str
    item: ClaimItem
    components: tuple[str, ...]
    cause: str
    submitted_at: datetime
    description: str = ""
    status: ClaimStatus = S.SUBMITTED
    decision: Decision | None = None
    review_reasons: tuple[str, ...] = ()
    rma: Rma | None = None
    received_at: datetime | None = None
    resolution: Mapping[str, Any] | None = None
    shipment: Shipment | None = None
    shipped_at: datetime | None = None
    rma_reminder_sent_at: datetime | None = None
    sla_at_risk_at: datetime | None = None
    sla_breached_at: datetime | None = None
    transitions: list[Transition] = field(default_factory=list)
    events: list[ClaimEvent] = field(default_factory=list)
    version: int = 0

    @classmethod
    def submit(
        cls,
        *,
        claim_id: str,
        customer_id: str,
        region: str,
        item: ClaimItem,
        components: tuple[str, ...],
        cause: str,
        actor: Actor,
        at: datetime,
        description: str = "",
    ) -> Claim:
        claim = cls(claim_id, customer_id, region, item, tuple(components), cause, at, description)
        claim.transitions.append(Transition(None, S.SUBMITTED, actor, at, "claim submitted"))
        claim._emit("submitted", at, {
            "customer_id": customer_id, "region": region, "item_key": item.key,
            "label_code": item.label_code, "order_line_id": item.order_line_id,
            "style_code": item.style_code, "category": item.category,
            "components": list(components), "cause": cause,
        })  # fmt: skip
        return claim

    # --- the state machine -------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.status not in TERMINAL

    def can(self, action: str) -> bool:
        return self.status in TRANSITIONS[action].sources

    def ensure_can(self, action: str) -> None:
        """Refuse early, before any side effect outside the aggregate (stock, other services)."""
        if not self.can(action):
            raise self._refusal(action)

    def _move(
        self,
        action: str,
        actor: Actor,
        at: datetime,
        reason: str,
        data: Mapping[str, Any] | None = None,
    ) -> None:
        move = TRANSITIONS[action]
        if self.status not in move.sources:
            raise self._refusal(action)
        self.transitions.append(Transition(self.status, move.target, actor, at, reason))
        self.status = move.target
        self._emit(move.event, at, data or {})

    def _refusal(self, action: str) -> ClaimInvalidTransition:
        return ClaimInvalidTransition(
            f"A claim that is {self.status} cannot {action.replace('_', ' ')}.",
            details={
                "claim_id": self.id,
                "status": str(self.status),
                "action": action,
                "allowed_from": sorted(str(s) for s in TRANSITIONS[action].sources),
            },
        )

    def allowed_actions(self) -> list[str]:
        return [action for action, move in TRANSITIONS.items() if self.status in move.sources]

    def _emit(self, name: str, at: datetime, data: Mapping[str, Any]) -> None:
        self.version += 1
        self.events.append(ClaimEvent(name, self.id, at, self.status, dict(data), self.version))

    def pull_events(self) -> list[ClaimEvent]:
        """Hand the queued events to the caller (who writes them to the outbox)."""
        events, self.events = self.events, []
        return events

    # --- decisions ---------------------------------------------------------------------------

    def approve(self, decision: Decision, actor: Actor, at: datetime, reason: str = "") -> None:
        self._require_decision(decision, covered=True, action="approve")
        self._move(
            "approve", actor, at, reason or "; ".join(decision.reasons), _decision_data(decision)
        )
        self.decision = decision

    def reject(self, decision: Decision, actor: Actor, at: datetime, reason: str = "") -> None:
        self._require_decision(decision, covered=False, action="reject")
        self._move(
            "reject", actor, at, reason or "; ".join(decision.reasons), _decision_data(decision)
        )
        self.decision = decision

    def flag(
        self,
        review_reasons: tuple[str, ...],
        actor: Actor,
        at: datetime,
        assessment: Decision | None = None,
        review_codes: tuple[str, ...] = (),
    ) -> None:
        """Hand the claim to an agent; `assessment` is the automatic decision they start from.

        `review_reasons` are sentences for agents; the event carries `review_codes` only."""
        data = {"review_reasons": list(review_reasons), "review_codes": list(review_codes)}
        self._move("flag", actor, at, "; ".join(review_reasons), data)
        self.review_reasons = tuple(review_reasons)
        self.decision = assessment

    def _require_decision(self, decision: Decision, *, covered: bool, action: str) -> None:
        if decision.covered is not covered and self.can(action):
            raise ClaimInvalidTransition(
                f"Cannot {action} with a decision that says covered={decision.covered}.",
                details={"claim_id": self.id, "action": action, "rule": decision.rule},
            )

    # --- the item's journey ------------------------------------------------------------------

    def issue_rma(self, rma: Rma, actor: Actor, at: datetime) -> None:
        self._move("issue_rma", actor, at, f"RMA {rma.number} issued", {
            "rma_number": rma.number, "expires_at": rma.expires_at.isoformat(),
            "repair_centre_region": rma.repair_centre.region,
        })  # fmt: skip
        self.rma = rma

    def receive(self, actor: Actor, at: datetime) -> None:
        self._move("receive", actor, at, "item arrived at the repair centre", _rma_data(self.rma))
        self.received_at = at

    def start_inspection(self, actor: Actor, at: datetime) -> None:
        self._move("start_inspection", actor, at, "inspection started")

    def start_repair(self, resolution: Mapping[str, Any], actor: Actor, at: datetime) -> None:
        self._move("start_repair", actor, at, "repair started", {"resolution": dict(resolution)})
        self.resolution = dict(resolution)

    def start_replacement(self, resolution: Mapping[str, Any], actor: Actor, at: datetime) -> None:
        self._move(
            "start_replacement", actor, at, "replacement started", {"resolution": dict(resolution)}
        )
        self.resolution = dict(resolution)

    def issue_store_credit(self, resolution: Mapping[str, Any], actor: Actor, at: datetime) -> None:
        self._move(
            "issue_store_credit", actor, at, "store credit issued", {"resolution": dict(resolution)}
        )
        self.resolution = dict(resolution)

    def ship_back(self, shipment: Shipment, actor: Actor, at: datetime) -> None:
        data = {"carrier": shipment.carrier, "tracking_number": shipment.tracking_number}
        self._move("ship_back", actor, at, "shipped back", data)
        self.shipment, self.shipped_at = shipment, at

    def deliver(self, actor: Actor, at: datetime) -> None:
        self._move("deliver", actor, at, "delivered to the customer")

    def close(self, actor: Actor, at: datetime, reason: str = "claim completed") -> None:
        self._move("close", actor, at, reason)

    def cancel(self, actor: Actor, at: datetime, reason: str = "") -> None:
        self._move("cancel", actor, at, reason or f"cancelled by {actor.kind}")

    def lapse(self, at: datetime, actor: Actor = SYSTEM) -> None:
        if self.can("lapse") and self.rma is not None and not self.rma.is_expired(at):
            raise RmaNotExpired(
                "The RMA is still valid.",
                details={"claim_id": self.id, "expires_at": self.rma.expires_at.isoformat()},
            )
        self._move("lapse", actor, at, "RMA expired before the item arrived", _rma_data(self.rma))

    # --- timers (no state change, each fact raised once) -------------------------------------

    def sla(self, now: datetime, timings: Timings = DEFAULT_TIMINGS) -> SlaStatus:
        return sla_status(self.received_at, now, shipped_at=self.shipped_at, timings=timings)

    def next_timer_at(self, timings: Timings = DEFAULT_TIMINGS) -> datetime | None:
        """When `check_timers` next has something to do (persisted so timers survive restarts)."""
        if self.status is S.AWAITING_ITEM and self.rma is not None:
            if self.rma_reminder_sent_at is None:
                return self.rma.reminder_due_at
            return self.rma.expires_at
        if self.status in SLA_RUNNING and self.received_at is not None:
            due = sla_due(self.received_at, timings)
            if self.sla_at_risk_at is None:
                return due.at_risk_at
            if self.sla_breached_at is None:
                return due.breached_at
        return None

    def check_timers(self, now: datetime, timings: Timings = DEFAULT_TIMINGS) -> list[str]:
        """Raise the RMA reminder, lapse, and SLA alarms that are due; returns the event names."""
        before = len(self.events)
        if self.status is S.AWAITING_ITEM and self.rma is not None:
            if self.rma.is_expired(now):
                self.lapse(now)
            elif self.rma.reminder_due(now) and self.rma_reminder_sent_at is None:
                self.rma_reminder_sent_at = now
                self._emit("rma_reminder", now, _rma_data(self.rma))
        if self.status in SLA_RUNNING:
            status = self.sla(now, timings)
            if status in (SlaStatus.AT_RISK, SlaStatus.BREACHED) and self.sla_at_risk_at is None:
                self.sla_at_risk_at = now
                self._emit("sla_at_risk", now, _sla_data(self))
            if status is SlaStatus.BREACHED and self.sla_breached_at is None:
                self.sla_breached_at = now
                self._emit("sla_breached", now, _sla_data(self))
        return [e.name for e in self.events[before:]]


def _decision_data(decision: Decision) -> dict[str, Any]:
    return {
        "covered": decision.covered,
        "rule": decision.rule,
        "policy_version": decision.policy_version,
        "reasons": list(decision.reasons),
        "reason_codes": list(decision.reason_codes or (decision.rule,)),
    }


def _rma_data(rma: Rma | None) -> dict[str, Any]:
    return {"rma_number": rma.number} if rma else {}


def _sla_data(claim: Claim) -> dict[str, Any]:
    assert claim.received_at is not None
    return {"received_at": claim.received_at.isoformat(), "status": str(claim.status)}
