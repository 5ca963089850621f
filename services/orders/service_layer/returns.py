"""Requesting and reading returns: the checks, the free labels, the refund by the rule.

A return is checked against the order (delivered, within the window, nothing twice, faulty goes
to warranty), its refund computed by `refund_for_return`, and one prepaid label booked per
warehouse the goods go back to, declared as returned goods. The return is then stored with its
events; the checks run again inside that write (the order row locked), so two requests racing
for the same units cannot both win. The refund itself waits for the carrier's scan-in
(return_processing.py).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from services.orders.domain.errors import OrderNotFound
from services.orders.domain.order_lines import (
    OrderLine,
    cart_of,
    order_lines,
    purchased_lines,
    returned_goods,
    tracking_number_of,
)
from services.orders.domain.order_returns import (
    Resolution,
    Return,
    ReturnLabel,
    ReturnNotFound,
    refund_figures,
    units_in_returns,
)
from services.orders.domain.orders import Order
from services.orders.domain.ports import CarrierProvider, ReturnLabelRequest
from services.orders.domain.reference import ReferenceData
from services.orders.domain.refunds import ReturnRefund, refund_for_return
from services.orders.domain.returns import ReturnLine, ReturnPolicy, check_return
from services.orders.domain.shipments import CartQuote
from services.orders.service_layer.customers import new_id, require_customer
from services.orders.service_layer.return_exchanges import ExchangeRequest, Exchanges
from services.orders.service_layer.unit_of_work import DuplicateEntry, UnitOfWork, Work
from shared.actor import Actor
from shared.clock import Clock

Wake = Callable[[str], None]


def no_wake(_return_id: str) -> None:
    """Without a return worker (tests that drive it by hand) nobody needs waking."""


@dataclass(frozen=True)
class _Plan:
    order: Order
    cart: CartQuote
    refund: ReturnRefund


class Returns:
    def __init__(
        self,
        uow: UnitOfWork,
        ref: ReferenceData,
        carrier: CarrierProvider,
        clock: Clock,
        policy: ReturnPolicy,
        exchanges: Exchanges,
        wake: Wake = no_wake,
    ) -> None:
        self.uow = uow
        self.ref = ref
        self.carrier = carrier
        self.clock = clock
        self.policy = policy
        self.exchanges = exchanges
        self.wake = wake

    async def request_return(
        self,
        actor: Actor,
        order_id: str,
        lines: Sequence[ReturnLine],
        *,
        exchange: ExchangeRequest | None = None,
        request_id: str | None = None,
    ) -> Return:
        """Open a return (or an exchange); a repeat of the request finds the first."""
        customer = require_customer(actor)
        return_id = _return_id(customer, request_id)
        if request_id and (found := await self._find(return_id, customer)) is not None:
            return found
        plan = await self._plan(actor, order_id, lines)
        labels = await self._labels(return_id, plan, lines)
        ret = self._new_return(return_id, actor, plan, lines, labels)
        try:
            if exchange is not None:
                ret.exchange = await self.exchanges.start(ret, plan.order, plan.refund, exchange)
            await self._store(ret, plan.order, lines)
        except DuplicateEntry:
            found = await self._find(return_id, customer)
            if found is None:
                raise
            return found
        except Exception:
            await self._undo(ret)
            raise
        self.wake(return_id)
        return ret

    async def get_return(self, actor: Actor, return_id: str) -> Return:
        async with self.uow.read() as rx:
            ret = await rx.returns.get(return_id)
        if not actor.may_see(ret.customer_id):
            raise ReturnNotFound("no such return", details={"return_id": return_id})
        return ret

    async def list_returns(
        self, actor: Actor, order_id: str, limit: int = 50, after: dict[str, str] | None = None
    ) -> tuple[list[Return], dict[str, str] | None]:
        async with self.uow.read() as rx:
            order = await rx.orders.get(order_id)
            if not actor.may_see(order.customer_id):
                raise OrderNotFound("no such order", details={"order_id": order_id})
            return await rx.returns.for_order(order_id, limit, after)

    def lines_of(self, order: Order, returns: Sequence[Return] = ()) -> list[OrderLine]:
        """The order's lines, each with the units a return may still ask for given its
        `returns` (none for an order just placed: nothing of it was delivered yet)."""
        return order_lines(order, units_in_returns(returns))

    async def lines_left(self, orders: Sequence[Order]) -> dict[str, list[OrderLine]]:
        """`lines_of` each order, by order id, with their returns read at once (a page of
        orders is one read, not one per order)."""
        found: list[Return] = []
        if orders:
            async with self.uow.read() as rx:
                found = await rx.returns.for_orders([o.order_id for o in orders])
        by_order: defaultdict[str, list[Return]] = defaultdict(list)
        for ret in found:
            by_order[ret.order_id].append(ret)
        return {o.order_id: self.lines_of(o, by_order[o.order_id]) for o in orders}

    # -- steps ---------------------------------------------------------------------------
    async def _find(self, return_id: str, customer: str) -> Return | None:
        async with self.uow.read() as rx:
            found = await rx.returns.find(return_id)
        return found if found is not None and found.customer_id == customer else None

    async def _plan(self, actor: Actor, order_id: str, lines: Sequence[ReturnLine]) -> _Plan:
        async with self.uow.read() as rx:
            order = await rx.orders.get(order_id)
            if order.customer_id != actor.customer_id:
                raise OrderNotFound("no such order", details={"order_id": order_id})
            earlier, _ = await rx.returns.for_order(order_id)
        return self._check(order, lines, earlier)

    def _check(self, order: Order, lines: Sequence[ReturnLine], earlier: list[Return]) -> _Plan:
        returned = units_in_returns(earlier)
        check_return(
            self.policy,
            purchased=purchased_lines(order),
            requested=lines,
            already_returned=returned,
            now=self.clock.now(),
        )
        cart = cart_of(order, self.ref)
        returning = {line.style: line.quantity for line in lines}
        refund = refund_for_return(cart, returning=returning, previously_returned=returned)
        return _Plan(order, cart, refund)

    async def _labels(
        self, return_id: str, plan: _Plan, lines: Sequence[ReturnLine]
    ) -> tuple[ReturnLabel, ...]:
        """One free label per warehouse the returned goods go back to."""
        returning = {line.style: line.quantity for line in lines}
        labels = []
        for shipment in plan.cart.shipments:
            if not any(style in returning for style in shipment.styles):
                continue
            request = ReturnLabelRequest(
                return_id=return_id,
                order_id=plan.order.order_id,
                from_region=plan.cart.region,
                to_warehouse=shipment.warehouse,
                original_tracking_number=tracking_number_of(plan.order, shipment),
                customs=returned_goods(shipment, returning),
                idempotency_key=f"{return_id}:label:{shipment.warehouse}",
            )
            label = await self.carrier.create_return_label(request)
            labels.append(
                ReturnLabel(
                    label.shipment_id,
                    label.tracking_number,
                    label.carrier,
                    shipment.warehouse,
                    request.customs,
                )
            )
        return tuple(labels)

    def _new_return(
        self,
        return_id: str,
        actor: Actor,
        plan: _Plan,
        lines: Sequence[ReturnLine],
        labels: tuple[ReturnLabel, ...],
    ) -> Return:
        now = self.clock.now()
        return Return(
            return_id=return_id,
            order_id=plan.order.order_id,
            customer_id=plan.order.customer_id,
            region=plan.cart.region,
            lines=tuple(lines),
            refund=refund_figures(plan.refund),
            labels=labels,
            created_at=now,
            parcel_deadline=now + self.policy.exchange_parcel_deadline,
            agent_id=actor.agent_id,
        )

    async def _store(self, ret: Return, order: Order, lines: Sequence[ReturnLine]) -> None:
        async with self.uow() as work:
            # Lock the order: concurrent returns of one order are checked one after the other.
            current = await work.orders.get(order.order_id, for_update=True)
            earlier, _ = await work.returns.for_order(order.order_id)
            self._check(current, lines, earlier)
            if ret.exchange is not None:
                await self.exchanges.reserve(work, ret)
            ret.resolution = Resolution.EXCHANGE if ret.exchange else Resolution.REFUND
            ret.opened(self.clock.now())
            await work.returns.add(ret)
            _publish(work, ret)

    async def _undo(self, ret: Return) -> None:
        """A refused or failed store: give back what was booked for it (labels, a charge)."""
        for label in ret.labels:
            await self.carrier.cancel(label.shipment_id)
        if ret.exchange is not None:
            await self.exchanges.undo_charge(ret)


def _publish(work: Work, ret: Return) -> None:
    for event in ret.pull_events():
        work.publish(event)


def _return_id(customer: str, request_id: str | None) -> str:
    """A fresh id, or one derived from the caller and the request id so a retry finds it."""
    if not request_id:
        return new_id("r")
    return "r_" + hashlib.sha256(f"{customer}\0{request_id}".encode()).hexdigest()[:32]
