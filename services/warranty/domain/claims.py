"""The warranty claim aggregate: where a claim changes state.

Every change goes through `_move` (or `_emit` alone for facts that do not change the state): it
checks the transition table, records who did it, when and why; then the method raises the typed
event the table names for that move (domain/events.py). A refused transition raises and changes
nothing. The aggregate never reads a clock: callers pass `at`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from shared.actor import Actor

from . import claim_facts as facts
from . import events as ev
from .claim_states import SLA_RUNNING, SYSTEM, TERMINAL, TRANSITIONS, ClaimStatus, Move, Transition
from .claim_values import ClaimItem, Decision, Shipment
from .errors import ClaimInvalidTransition, RmaNotExpired
from .rma import Rma
from .sla import DEFAULT_TIMINGS, SlaStatus, Timings, sla_due, sla_status

S = ClaimStatus

__all__ = ["SYSTEM", "Actor", "Claim", "ClaimItem", "ClaimStatus", "Decision", "Shipment",
           "Transition"]  # fmt: skip


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
    evidence_photo_id: str | None = None  # the label photo the claim was opened from
    transitions: list[Transition] = field(default_factory=list)
    events: list[ev.ClaimEvent] = field(default_factory=list)
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
        claim._emit(ev.ClaimSubmitted(
            **facts.common(claim, at), category=item.category, components=claim.components,
            cause=cause, order_line_id=item.order_line_id,
        ))  # fmt: skip
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

    def _move(self, action: str, actor: Actor, at: datetime, reason: str) -> Move:
        move = TRANSITIONS[action]
        if self.status not in move.sources:
            raise self._refusal(action)
        self.transitions.append(Transition(self.status, move.target, actor, at, reason))
        self.status = move.target
        return move

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

    def _emit(self, event: ev.ClaimEvent, move: Move | None = None) -> None:
        if move is not None and event.name != move.event:
            raise AssertionError(f"the transition table raises {move.event}, not {event.name}")
        self.version += 1
        self.events.append(event)

    def pull_events(self) -> list[ev.ClaimEvent]:
        """Hand the queued events to the caller (who publishes them through the unit of work)."""
        events, self.events = self.events, []
        return events

    # --- decisions ---------------------------------------------------------------------------

    def approve(self, decision: Decision, actor: Actor, at: datetime, reason: str = "") -> None:
        self._require_decision(decision, covered=True, action="approve")
        move = self._move("approve", actor, at, reason or " ".join(decision.reasons))
        self.decision = decision
        self._emit(ev.ClaimApproved(**facts.decided(self, decision, at)), move)

    def reject(self, decision: Decision, actor: Actor, at: datetime, reason: str = "") -> None:
        self._require_decision(decision, covered=False, action="reject")
        move = self._move("reject", actor, at, reason or " ".join(decision.reasons))
        self.decision = decision
        self._emit(ev.ClaimRejected(**facts.decided(self, decision, at)), move)

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
        move = self._move("flag", actor, at, " ".join(review_reasons))
        self.review_reasons = tuple(review_reasons)
        self.decision = assessment
        self._emit(
            ev.ClaimFlagged(**facts.common(self, at), review_reasons=tuple(review_codes)), move
        )

    def _require_decision(self, decision: Decision, *, covered: bool, action: str) -> None:
        if decision.covered is not covered and self.can(action):
            raise ClaimInvalidTransition(
                f"Cannot {action} with a decision that says covered={decision.covered}.",
                details={"claim_id": self.id, "action": action, "rule": decision.rule},
            )

    # --- the item's journey ------------------------------------------------------------------

    def issue_rma(self, rma: Rma, actor: Actor, at: datetime) -> None:
        move = self._move("issue_rma", actor, at, f"RMA {rma.number} issued")
        self.rma = rma
        centre = rma.repair_centre
        self._emit(ev.ClaimRmaIssued(
            **facts.with_rma(self, at), repair_centre_region=centre.region,
            repair_centre_name=centre.name, repair_centre_address=centre.address,
        ), move)  # fmt: skip

    def receive(self, actor: Actor, at: datetime, timings: Timings = DEFAULT_TIMINGS) -> None:
        move = self._move("receive", actor, at, "item arrived at the repair centre")
        self.received_at = at
        rma_number = self.rma.number if self.rma else None
        self._emit(
            ev.ClaimReceived(**facts.at_centre(self, at, timings), rma_number=rma_number), move
        )

    def start_inspection(
        self, actor: Actor, at: datetime, timings: Timings = DEFAULT_TIMINGS
    ) -> None:
        move = self._move("start_inspection", actor, at, "inspection started")
        self._emit(ev.ClaimInspectionStarted(**facts.at_centre(self, at, timings)), move)

    def start_repair(
        self,
        resolution: Mapping[str, Any],
        actor: Actor,
        at: datetime,
        timings: Timings = DEFAULT_TIMINGS,
    ) -> None:
        move = self._move("start_repair", actor, at, "repair started")
        self.resolution = dict(resolution)
        parts = tuple(dict(p) for p in resolution.get("parts") or ())
        self._emit(ev.ClaimRepairStarted(**facts.at_centre(self, at, timings), parts=parts,
                                         components=self.components), move)  # fmt: skip

    def start_replacement(
        self,
        resolution: Mapping[str, Any],
        actor: Actor,
        at: datetime,
        timings: Timings = DEFAULT_TIMINGS,
    ) -> None:
        move = self._move("start_replacement", actor, at, "replacement started")
        self.resolution = dict(resolution)
        self._emit(ev.ClaimReplacementStarted(
            **facts.at_centre(self, at, timings), replacement_style=resolution.get("replacement_style"),
            reservation_id=resolution.get("reservation_id"),
        ), move)  # fmt: skip

    def issue_store_credit(self, resolution: Mapping[str, Any], actor: Actor, at: datetime) -> None:
        move = self._move("issue_store_credit", actor, at, "store credit issued")
        self.resolution = dict(resolution)
        self._emit(ev.ClaimStoreCreditIssued(
            **facts.common(self, at), amount=resolution.get("credit_amount"),
            currency=resolution.get("credit_currency"),
        ), move)  # fmt: skip

    def ship_back(
        self, shipment: Shipment, actor: Actor, at: datetime, timings: Timings = DEFAULT_TIMINGS
    ) -> None:
        move = self._move("ship_back", actor, at, "shipped back")
        self.shipment, self.shipped_at = shipment, at
        kept = sla_status(self.received_at, at, shipped_at=at, timings=timings)
        self._emit(ev.ClaimShippedBack(
            **facts.at_centre(self, at, timings), carrier=shipment.carrier,
            tracking_number=shipment.tracking_number,
            resolution=(self.resolution or {}).get("kind"), sla=str(kept),
        ), move)  # fmt: skip

    def deliver(self, actor: Actor, at: datetime) -> None:
        move = self._move("deliver", actor, at, "delivered to the customer")
        self._emit(ev.ClaimDelivered(**facts.common(self, at)), move)

    def close(self, actor: Actor, at: datetime, reason: str = "claim completed") -> None:
        move = self._move("close", actor, at, reason)
        self._emit(ev.ClaimClosed(**facts.common(self, at)), move)

    def cancel(self, actor: Actor, at: datetime, reason: str = "") -> None:
        move = self._move("cancel", actor, at, reason or f"cancelled by {actor.type}")
        self._emit(ev.ClaimCancelled(**facts.common(self, at), cancelled_by=actor.type), move)

    def lapse(self, at: datetime, actor: Actor = SYSTEM) -> None:
        if self.can("lapse") and self.rma is not None and not self.rma.is_expired(at):
            raise RmaNotExpired(
                "The RMA is still valid.",
                details={"claim_id": self.id, "expires_at": self.rma.expires_at.isoformat()},
            )
        move = self._move("lapse", actor, at, "RMA expired before the item arrived")
        self._emit(ev.ClaimLapsed(**facts.with_rma(self, at)), move)

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
                self._emit(ev.ClaimRmaReminder(**facts.with_rma(self, now)))
        if self.status in SLA_RUNNING:
            status = self.sla(now, timings)
            if status in (SlaStatus.AT_RISK, SlaStatus.BREACHED) and self.sla_at_risk_at is None:
                self.sla_at_risk_at = now
                self._emit(ev.ClaimSlaAtRisk(**facts.at_centre(self, now, timings)))
            if status is SlaStatus.BREACHED and self.sla_breached_at is None:
                self.sla_breached_at = now
                self._emit(ev.ClaimSlaBreached(**facts.at_centre(self, now, timings)))
        return [e.name for e in self.events[before:]]
