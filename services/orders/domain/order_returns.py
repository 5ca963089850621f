"""The Return aggregate: one return of some of an order's lines, from request to refund.

The rules are in returns.py (who may return what, the state table) and refunds.py (what is
refunded); this holds one return's state, decides nothing the table does not allow, performs
no I/O, and collects the events to publish with each change.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from services.orders.domain import return_events as rev
from services.orders.domain.exchanges import Exchange, ExchangeFallback
from services.orders.domain.money import Money
from services.orders.domain.ports import ReturnedGoods
from services.orders.domain.refunds import REFUND_FIGURES, ReturnRefund
from services.orders.domain.returns import (
    ReturnLine,
    ReturnStatus,
    ReturnTrigger,
    next_status,
)
from shared.errors import NotFound

S, T = ReturnStatus, ReturnTrigger
OPEN = frozenset({S.AWAITING_PARCEL, S.IN_TRANSIT, S.RECEIVED})  # the worker has work
COUNTS = frozenset(set(ReturnStatus) - {S.CANCELLED, S.EXPIRED})  # units no longer returnable


class ReturnNotFound(NotFound):
    code = "return_not_found"


class Resolution:
    REFUND = "refund"
    EXCHANGE = "exchange"


def return_number(return_id: str) -> str:
    """A short, stable number for people (on the label, in messages): R- and 10 characters."""
    digest = hashlib.sha256(return_id.encode()).hexdigest().upper()
    return f"R-{digest[:5]}-{digest[5:10]}"


def units_in_returns(returns: Iterable[Return]) -> dict[str, int]:
    """Units of each style in returns that still count (a cancelled or expired return gives
    its units back): what `check_return` takes off what can still be returned."""
    units: Counter[str] = Counter()
    for ret in returns:
        if ret.status in COUNTS:
            units.update(ret.units)
    return dict(units)


def refund_figures(refund: ReturnRefund) -> rev.RefundFigures:
    lines = tuple(
        rev.RefundLineFigures(
            style=line.style,
            quantity=line.quantity,
            **{name: getattr(line, name) for name in REFUND_FIGURES if name != "total"},
        )
        for shipment in refund.shipments
        for line in shipment.lines
    )
    return rev.RefundFigures(
        currency=refund.currency,
        lines=lines,
        **{name: getattr(refund, name) for name in REFUND_FIGURES},
    )


@dataclass(frozen=True, slots=True)
class ReturnLabel:
    """A free return label, one per warehouse the returned lines go back to."""

    shipment_id: str
    tracking_number: str
    carrier: str
    warehouse: str
    customs: tuple[ReturnedGoods, ...]


@dataclass
class ExchangeRecord:
    """The new item of an exchange: reserved at once; the difference charged or owed."""

    terms: Exchange
    style: str
    quantity: int
    warehouse: str
    reservation_id: str
    charge_authorization_id: str | None = None  # the difference charged at the start
    outcome: str | None = None  # what the deadline settled (charge_in_full or cancel)
    # The new item's outbound parcel, booked once the returned parcel is in (or the customer
    # keeps the new item at its full price at the deadline): (shipment id, tracking, carrier).
    shipment: tuple[str, str, str] | None = None

    def record_shipment(self, shipment_id: str, tracking_number: str, carrier: str) -> bool:
        """The first booking is the one (a repeat under the same carrier key is the same)."""
        if self.shipment is not None:
            return False
        self.shipment = (shipment_id, tracking_number, carrier)
        return True


@dataclass
class Return:
    return_id: str
    order_id: str
    customer_id: str
    region: str
    lines: tuple[ReturnLine, ...]
    refund: rev.RefundFigures
    labels: tuple[ReturnLabel, ...]
    created_at: datetime
    parcel_deadline: datetime
    status: ReturnStatus = S.AWAITING_PARCEL
    resolution: str = Resolution.REFUND
    agent_id: str | None = None
    exchange: ExchangeRecord | None = None
    refund_id: str | None = None
    amount_refunded: Money | None = None
    timeline: list[tuple[ReturnStatus, datetime]] = field(default_factory=list)
    pending_events: list[rev.ReturnEvent] = field(default_factory=list)
    version: int = 0

    @property
    def return_number(self) -> str:
        return return_number(self.return_id)

    @property
    def currency(self) -> str:
        return self.refund.currency

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def units(self) -> dict[str, int]:
        return {line.style: line.quantity for line in self.lines}

    def opened(self, now: datetime) -> None:
        """Record the request (the return and its labels exist from now)."""
        self.timeline.append((self.status, now))
        self._emit(
            rev.ReturnRequested,
            now,
            refund=self.refund,
            carrier=self.labels[0].carrier if self.labels else "",
            tracking_numbers=tuple(label.tracking_number for label in self.labels),
            exchange=self.exchange_facts(),
        )

    def apply(self, trigger: ReturnTrigger, now: datetime, by: str = "system") -> bool:
        """Move by the state table; False (nothing changes) for a repeat."""
        target, changed = next_status(self.status, trigger)
        if not changed:
            return False
        self.status = target
        self.timeline.append((target, now))
        if target is S.IN_TRANSIT:
            self._emit(rev.ReturnInTransit, now)
        elif target is S.RECEIVED:
            self._emit(rev.ReturnReceived, now, received_by=str(trigger))
        elif target is S.CANCELLED:
            self._emit(rev.ReturnCancelled, now, cancelled_by=by)
        return True

    @property
    def refund_owed(self) -> Money:
        """What goes back to the card once the parcel is in."""
        if self.exchange is None:
            return self.refund.total
        return self.exchange.terms.refund_when_parcel_arrives

    def record_refund(self, refund_id: str | None, now: datetime) -> bool:
        if not self.apply(T.REFUND_ISSUED, now):
            return False
        self.refund_id = refund_id
        self.amount_refunded = self.refund_owed
        self._emit(
            rev.ReturnRefunded,
            now,
            refund_id=refund_id,
            amount_refunded=self.refund_owed,
            refund=self.refund,
            exchange=self.exchange_facts(),
        )
        return True

    def expire(self, now: datetime, charged: Money | None, refunded: Money | None) -> bool:
        if not self.apply(T.DEADLINE_PASSED, now):
            return False
        outcome = None
        if self.exchange is not None:
            outcome = str(self.exchange.terms.fallback)
            self.exchange.outcome = outcome
        self._emit(
            rev.ReturnExpired, now, exchange_outcome=outcome, charged=charged, refunded=refunded
        )
        return True

    def pull_events(self) -> list[rev.ReturnEvent]:
        out, self.pending_events = self.pending_events, []
        return out

    def facts(self) -> rev.ReturnFacts:
        return rev.ReturnFacts(
            return_id=self.return_id,
            return_number=self.return_number,
            order_id=self.order_id,
            customer_id=self.customer_id,
            agent_id=self.agent_id,
            region=self.region,
            status=str(self.status),
            resolution=self.resolution,
            lines=tuple((x.style, x.quantity, str(x.reason)) for x in self.lines),
            currency=self.currency,
        )

    def exchange_facts(self) -> rev.ExchangeFacts | None:
        x = self.exchange
        if x is None:
            return None
        return rev.ExchangeFacts(
            style=x.style,
            quantity=x.quantity,
            warehouse=x.warehouse,
            reservation_id=x.reservation_id,
            replacement_total=x.terms.replacement_total,
            difference_direction=str(x.terms.difference.direction),
            difference=x.terms.difference.amount,
            if_not_returned=_choice(x.terms.fallback),
            parcel_deadline=x.terms.parcel_deadline,
            parcel=(x.shipment[1], x.shipment[2]) if x.shipment is not None else None,
        )

    def _emit(self, kind: type[rev.ReturnEvent], now: datetime, **facts: Any) -> None:
        self.pending_events.append(kind(ret=self.facts(), occurred_at=now, **facts))


def _choice(fallback: ExchangeFallback) -> str:
    """The customer's words for the fallback (the API's `if_not_returned`)."""
    return "charge" if fallback is ExchangeFallback.CHARGE_IN_FULL else "cancel"
