"""The Order aggregate: the saga's state, each completed step, and the compensations owed.

The aggregate decides; it performs no I/O. The saga (service_layer/order_saga.py) calls a
provider, then records the outcome here, and publishes the events the aggregate collected.
Everything needed to resume after a crash (status, steps, compensations done) is in fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from services.orders.domain import events as ev
from services.orders.domain.errors import QuoteNotFound
from services.orders.domain.money import Money
from services.orders.domain.order_events import order_facts, order_placed
from services.orders.domain.quotes import Quote
from services.orders.domain.saga import (
    ADVICE_CODES,
    COMPENSATION_OF,
    CUSTOMER_MESSAGES,
    NEXT_STEP,
    TRANSITIONS,
    Compensation,
    FailureReason,
    OrderStatus,
    Step,
)
from shared.errors import InvalidTransition

S = OrderStatus


@dataclass(frozen=True, slots=True)
class StepRecord:
    step: Step
    at: datetime
    data: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Failure:
    reason: FailureReason
    message: str  # customer-actionable
    detail: str | None = None  # provider's wording, for agents


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    status: OrderStatus
    at: datetime


@dataclass
class Order:
    order_id: str
    customer_id: str
    quote: Quote
    payment_token: str
    status: OrderStatus
    created_at: datetime
    agent_id: str | None = None  # an agent placed it on the customer's behalf
    steps: dict[Step, StepRecord] = field(default_factory=dict)
    compensated: dict[Compensation, datetime] = field(default_factory=dict)
    failure: Failure | None = None
    timeline: list[TimelineEntry] = field(default_factory=list)
    # A failed or cancelled order stays open until the runner has looked for provider effects
    # that happened but were never recorded (a hold placed while the order was cancelled).
    strays_checked: bool = False
    # The request that placed the order: the saga's later events carry it as their cause.
    correlation_id: str | None = None
    pending_events: list[ev.OrderEvent] = field(default_factory=list)
    # Concurrency token kept by the repository (optimistic locking); the domain ignores it.
    version: int = 0

    @classmethod
    def place(
        cls,
        *,
        order_id: str,
        quote: Quote,
        customer_id: str,
        payment_token: str,
        now: datetime,
        agent_id: str | None = None,
    ) -> Order:
        """Accept a quote: the price, rate and lines are the quote's, locked."""
        if quote.customer_id is not None and quote.customer_id != customer_id:
            raise QuoteNotFound("no such quote", details={"quote_id": quote.quote_id})
        quote.ensure_valid(now)
        order = cls(order_id, customer_id, quote, payment_token, S.PENDING, now, agent_id)
        order.timeline.append(TimelineEntry(S.PENDING, now))
        order.pending_events.append(order_placed(order, now))
        return order

    # -- forward steps -------------------------------------------------------------------
    @property
    def next_step(self) -> Step | None:
        """What the saga runner must do next (None once confirmed or finished)."""
        return NEXT_STEP.get(self.status)

    def record_payment_authorized(self, authorization_id: str, now: datetime) -> None:
        amount = self.quote.total
        data = {"authorization_id": authorization_id, "amount": str(amount.amount)}
        self._advance(S.PAYMENT_AUTHORIZED, Step.AUTHORIZE_PAYMENT, now, data)
        self._emit(ev.OrderPaymentAuthorized, now, authorization_id=authorization_id, amount=amount)

    def record_stock_reserved(self, reservation_id: str, now: datetime) -> None:
        data = {
            "reservation_id": reservation_id,
            "warehouse": self.quote.warehouse,
            "style": self.quote.style,
            "quantity": self.quote.quantity,
        }
        self._advance(S.STOCK_RESERVED, Step.RESERVE_STOCK, now, data)
        self._emit(ev.OrderStockReserved, now, reservation_id=reservation_id)

    def record_shipment_created(
        self, shipment_id: str, tracking_number: str, carrier: str, now: datetime
    ) -> None:
        data = {"shipment_id": shipment_id, "tracking_number": tracking_number, "carrier": carrier}
        self._advance(S.SHIPMENT_CREATED, Step.CREATE_SHIPMENT, now, data)
        self._emit(ev.OrderShipmentCreated, now, **data, customs=self.quote.customs)

    def confirm(self, now: datetime) -> None:
        low, high = self.quote.delivery_days
        data = {
            "delivery_from": (now + timedelta(days=low)).date().isoformat(),
            "delivery_to": (now + timedelta(days=high)).date().isoformat(),
        }
        self._advance(S.CONFIRMED, Step.CONFIRM, now, data)
        self._emit(
            ev.OrderConfirmed,
            now,
            delivery_from=date.fromisoformat(data["delivery_from"]),
            delivery_to=date.fromisoformat(data["delivery_to"]),
            ships_from=self.quote.warehouse,
            ships_from_region=self.quote.source_region,
        )

    def record_shipped(self, capture_id: str, now: datetime) -> None:
        data = {"capture_id": capture_id}
        self._advance(S.SHIPPED, Step.CAPTURE_PAYMENT, now, data)
        shipment = self.step_data(Step.CREATE_SHIPMENT)
        delivery_to = self.step_data(Step.CONFIRM).get("delivery_to")
        self._emit(
            ev.OrderShipped,
            now,
            shipment_id=shipment.get("shipment_id"),
            carrier=shipment.get("carrier"),
            tracking_number=shipment.get("tracking_number"),
            delivery_to=date.fromisoformat(delivery_to) if delivery_to else None,
        )

    def record_delivered(self, now: datetime) -> None:
        self._advance(S.DELIVERED, Step.DELIVER, now, {})
        self._emit(
            ev.OrderDelivered, now, tracking_number=self.tracking_number, delivered_on=now.date()
        )

    # -- unhappy paths -------------------------------------------------------------------
    def fail(self, reason: FailureReason, now: datetime, detail: str | None = None) -> None:
        self._transition(S.FAILED, now)
        self.failure = Failure(reason, CUSTOMER_MESSAGES[reason], detail)
        self._emit(
            ev.OrderFailed,
            now,
            reason=reason,
            advice_code=ADVICE_CODES[reason],
            message=self.failure.message,
            amount_released=self._held_amount(),
            compensations=tuple(self.pending_compensations()),
        )

    def cancel(self, now: datetime, by: str | None = None) -> None:
        self._transition(S.CANCELLED, now)
        self._emit(
            ev.OrderCancelled,
            now,
            cancelled_by=by,
            amount_released=self._held_amount(),
            compensations=tuple(self.pending_compensations()),
        )

    def check_cancellable(self) -> None:
        """Raise as `cancel` would, changing nothing (checked before asking the carrier)."""
        self._check_transition(S.CANCELLED)

    def refund(self, refund_id: str, now: datetime) -> None:
        self._transition(S.REFUNDED, now)
        self._emit(ev.OrderRefunded, now, refund_id=refund_id, refund_amount=self.quote.total)

    def pending_compensations(self) -> list[Compensation]:
        """Compensations still owed, newest completed step first (empty unless failed/cancelled)."""
        if self.status not in (S.FAILED, S.CANCELLED):
            return []
        return [c for c in self.all_compensations() if c not in self.compensated]

    def all_compensations(self) -> list[Compensation]:
        """Every compensation this order needs, done or not, in the order they must run."""
        # Steps always complete in the saga's fixed order, so reverse enum order is reverse
        # completion order (robust to equal timestamps and to rows reloaded in any order).
        done = [s for s in reversed(list(Step)) if s in self.steps]
        return [COMPENSATION_OF[s] for s in done if s in COMPENSATION_OF]

    def record_compensated(self, compensation: Compensation, now: datetime) -> bool:
        """Mark a compensation done; a second call is a no-op and returns False."""
        if self.status not in (S.FAILED, S.CANCELLED):
            raise InvalidTransition(
                f"nothing to undo for an order that is {self.status}",
                details={"order_id": self.order_id, "status": str(self.status)},
            )
        if compensation in self.compensated:
            return False
        if compensation not in self.all_compensations():
            raise InvalidTransition(
                f"{compensation} does not undo any completed step",
                details={"order_id": self.order_id, "compensation": str(compensation)},
            )
        self.compensated[compensation] = now
        return True

    # -- views ---------------------------------------------------------------------------
    @property
    def saga_open(self) -> bool:
        """Whether the runner still has work: a forward step, tracking, or an undo owed."""
        if self.status in (S.FAILED, S.CANCELLED):
            return bool(self.pending_compensations()) or not self.strays_checked
        return self.status not in (S.DELIVERED, S.REFUNDED)

    def step_data(self, step: Step) -> dict[str, Any]:
        record = self.steps.get(step)
        return dict(record.data) if record else {}

    @property
    def authorization_id(self) -> str | None:
        return self.step_data(Step.AUTHORIZE_PAYMENT).get("authorization_id")

    @property
    def reservation_id(self) -> str | None:
        return self.step_data(Step.RESERVE_STOCK).get("reservation_id")

    @property
    def shipment_id(self) -> str | None:
        return self.step_data(Step.CREATE_SHIPMENT).get("shipment_id")

    @property
    def tracking_number(self) -> str | None:
        return self.step_data(Step.CREATE_SHIPMENT).get("tracking_number")

    def pull_events(self) -> list[ev.OrderEvent]:
        out, self.pending_events = self.pending_events, []
        return out

    # -- internals -----------------------------------------------------------------------
    def _transition(self, target: OrderStatus, now: datetime) -> None:
        self._check_transition(target)
        self.status = target
        self.timeline.append(TimelineEntry(target, now))

    def _check_transition(self, target: OrderStatus) -> None:
        if target not in TRANSITIONS[self.status]:
            raise InvalidTransition(
                f"an order that is {self.status} cannot become {target}",
                details={"order_id": self.order_id, "from": str(self.status), "to": str(target)},
            )

    def _advance(self, target: OrderStatus, step: Step, now: datetime, data: dict) -> None:
        self._transition(target, now)
        self.steps[step] = StepRecord(step, now, data)

    def _held_amount(self) -> Money | None:
        """The card hold being released, if payment had been authorized."""
        return self.quote.total if Step.AUTHORIZE_PAYMENT in self.steps else None

    def _emit(self, kind: type[ev.OrderEvent], now: datetime, **facts: Any) -> None:
        self.pending_events.append(kind(order=order_facts(self), occurred_at=now, **facts))
