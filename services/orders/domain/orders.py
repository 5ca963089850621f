"""The Order aggregate: the saga's state, each completed step, and the compensations owed.

The aggregate decides; it performs no I/O. The saga (service_layer/order_saga.py) calls a
provider, then records the outcome here, and publishes the events the aggregate collected.
Everything needed to resume after a crash (status, steps, compensations done) is in fields.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from services.orders.domain import events as ev
from services.orders.domain.errors import QuoteNotFound
from services.orders.domain.money import Money
from services.orders.domain.order_events import order_facts, order_placed, shipment_updated
from services.orders.domain.order_shipments import (
    OrderShipment,
    ShipmentStatus,
    StockLine,
    headline_quote,
    reservation_data,
)
from services.orders.domain.order_state import Failure, StepRecord, TimelineEntry
from services.orders.domain.order_views import OrderViews
from services.orders.domain.quotes import Quote
from services.orders.domain.saga import (
    ADVICE_CODES,
    CUSTOMER_MESSAGES,
    NEXT_STEP,
    TRANSITIONS,
    Compensation,
    FailureReason,
    OrderStatus,
    Step,
)
from services.orders.domain.shipments import CartQuote
from shared.errors import InvalidTransition

S = OrderStatus


@dataclass
class Order(OrderViews):
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
    # The cart quote the order was placed from (None for a single-style order, whose `quote` is
    # then the accepted quote; for a cart order `quote` is the cart's headline).
    cart: CartQuote | None = None
    # Each booked parcel (one per warehouse) with its own tracking status and delivery time.
    shipments: list[OrderShipment] = field(default_factory=list)
    # Concurrency token kept by the repository (optimistic locking); the domain ignores it.
    version: int = 0

    @classmethod
    def place(
        cls,
        *,
        order_id: str,
        quote: Quote | CartQuote,
        customer_id: str,
        payment_token: str,
        now: datetime,
        agent_id: str | None = None,
    ) -> Order:
        """Accept a quote or a cart quote: price, rate and lines are the quote's, locked."""
        if quote.customer_id is not None and quote.customer_id != customer_id:
            raise QuoteNotFound("no such quote", details={"quote_id": quote.quote_id})
        quote.ensure_valid(now)
        cart = quote if isinstance(quote, CartQuote) else None
        headline = quote if not isinstance(quote, CartQuote) else headline_quote(quote)
        order = cls(order_id, customer_id, headline, payment_token, S.PENDING, now, agent_id)
        order.cart = cart
        order.timeline.append(TimelineEntry(S.PENDING, now))
        order.pending_events.append(order_placed(order, now))
        return order

    @property
    def next_step(self) -> Step | None:
        """What the saga runner must do next (None once confirmed or finished)."""
        return NEXT_STEP.get(self.status)

    def record_payment_authorized(self, authorization_id: str, now: datetime) -> None:
        amount = self.quote.total
        data = {"authorization_id": authorization_id, "amount": str(amount.amount)}
        self._advance(S.PAYMENT_AUTHORIZED, Step.AUTHORIZE_PAYMENT, now, data)
        self._emit(ev.OrderPaymentAuthorized, now, authorization_id=authorization_id, amount=amount)

    def record_stock_reserved(
        self, reservation_id: str, now: datetime, lines: Sequence[tuple[StockLine, str]] = ()
    ) -> None:
        """Every line is held (`lines`: each line with its reservation id, for a cart)."""
        held = list(lines) or [(self.stock_lines[0], reservation_id)]
        data = reservation_data(held, every_line=self.cart is not None)
        self._advance(S.STOCK_RESERVED, Step.RESERVE_STOCK, now, data)
        self._emit(ev.OrderStockReserved, now, reservation_id=reservation_id)

    def record_shipment_created(
        self, shipment_id: str, tracking_number: str, carrier: str, now: datetime
    ) -> None:
        parcel = OrderShipment(self.quote.warehouse, shipment_id, tracking_number, carrier)
        self.record_shipments_created([parcel], now)

    def record_shipments_created(self, booked: Sequence[OrderShipment], now: datetime) -> None:
        """Every parcel is booked (in `parcel_plans` order); each is announced on its own."""
        data = {k: getattr(booked[0], k) for k in ("shipment_id", "tracking_number", "carrier")}
        self._advance(S.SHIPMENT_CREATED, Step.CREATE_SHIPMENT, now, data)
        self.shipments = list(booked)
        for parcel, plan in zip(booked, self.parcel_plans, strict=True):
            self._emit(
                ev.OrderShipmentCreated,
                now,
                shipment_id=parcel.shipment_id,
                tracking_number=parcel.tracking_number,
                carrier=parcel.carrier,
                customs=plan.customs[0],
                parcel_customs=plan.customs if self.cart is not None else (),
                warehouse=parcel.warehouse if self.cart is not None else None,
            )

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

    def record_shipped(
        self, capture_id: str, now: datetime, left: Sequence[str] | None = None
    ) -> None:
        """A first parcel left (`left`: the ids seen leaving, all when None): the payment is
        captured once, for the whole order."""
        data = {"capture_id": capture_id}
        self._advance(S.SHIPPED, Step.CAPTURE_PAYMENT, now, data)
        ids = {p.shipment_id for p in self.shipments} if left is None else set(left)
        self._move_parcels(now, ShipmentStatus.IN_TRANSIT, ids)
        shipment = self.leaving_parcel(ids)
        delivery_to = self.step_data(Step.CONFIRM).get("delivery_to")
        self._emit(
            ev.OrderShipped,
            now,
            shipment_id=shipment.get("shipment_id"),
            carrier=shipment.get("carrier"),
            tracking_number=shipment.get("tracking_number"),
            delivery_to=date.fromisoformat(delivery_to) if delivery_to else None,
        )

    def record_parcels_moved(
        self, now: datetime, in_transit: set[str], delivered: set[str]
    ) -> None:
        """Tracking news for a shipped order's parcels; delivered once every parcel is."""
        self._move_parcels(now, ShipmentStatus.IN_TRANSIT, in_transit)
        self._move_parcels(now, ShipmentStatus.DELIVERED, delivered)
        if self.shipments and all(p.status is ShipmentStatus.DELIVERED for p in self.shipments):
            self.record_delivered(now)

    def _move_parcels(self, now: datetime, status: ShipmentStatus, ids: set[str]) -> None:
        for parcel in self.shipments:
            if parcel.shipment_id in ids and parcel.advance(status, now) and self.cart:
                self.pending_events.append(shipment_updated(self, parcel, now))

    def record_delivered(self, now: datetime) -> None:
        self._advance(S.DELIVERED, Step.DELIVER, now, {})
        for parcel in self.shipments:
            parcel.advance(ShipmentStatus.DELIVERED, now)
        self._emit(
            ev.OrderDelivered, now, tracking_number=self.tracking_number, delivered_on=now.date()
        )

    # -- unhappy paths -------------------------------------------------------------------
    def fail(
        self,
        reason: FailureReason,
        now: datetime,
        detail: str | None = None,
        style: str | None = None,
    ) -> None:
        """`style`: the cart line that stopped the order (a cart line sold out)."""
        self._transition(S.FAILED, now)
        self.failure = Failure(reason, CUSTOMER_MESSAGES[reason], detail, style)
        self._emit(
            ev.OrderFailed,
            now,
            reason=reason,
            advice_code=ADVICE_CODES[reason],
            message=self.failure.message,
            amount_released=self._held_amount(),
            compensations=tuple(self.pending_compensations()),
            failed_style=style,
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
        if compensation is Compensation.CANCEL_SHIPMENT:  # every parcel was cancelled
            self._move_parcels(
                now, ShipmentStatus.CANCELLED, {p.shipment_id for p in self.shipments}
            )
        return True

    # -- views ---------------------------------------------------------------------------
    @property
    def saga_open(self) -> bool:
        """Whether the runner still has work: a forward step, tracking, or an undo owed."""
        if self.status in (S.FAILED, S.CANCELLED):
            return bool(self.pending_compensations()) or not self.strays_checked
        return self.status not in (S.DELIVERED, S.REFUNDED)

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
