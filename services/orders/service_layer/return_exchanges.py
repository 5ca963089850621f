"""Exchanges: the new item quoted and reserved at once, the difference charged or owed, and the
customer's choice applied if the return parcel never arrives (domain/exchanges.py decides).

Every payment call carries an idempotency key derived from the return, so a retried request or
a worker run twice never charges or refunds twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from services.orders.domain.carts import CartLine
from services.orders.domain.errors import PaymentTimeout
from services.orders.domain.exchanges import (
    DifferenceDirection,
    ExchangeFallback,
    settle_unreturned,
    start_exchange,
)
from services.orders.domain.money import Money
from services.orders.domain.order_returns import ExchangeRecord, Return
from services.orders.domain.orders import Order
from services.orders.domain.ports import PaymentProvider
from services.orders.domain.refunds import ReturnRefund
from services.orders.domain.returns import ReturnPolicy
from services.orders.service_layer.quotes import Quotes
from services.orders.service_layer.unit_of_work import Work
from shared.actor import Actor
from shared.clock import Clock

PAYMENT_ATTEMPTS = 4  # a provider timeout is retried with the same key: it never charges twice


@dataclass(frozen=True)
class ExchangeRequest:
    style: str
    fallback: ExchangeFallback


@dataclass(frozen=True)
class Settlement:
    """What the deadline did for an exchange whose parcel never came."""

    charged: Money | None
    refunded: Money | None
    cancel_replacement: bool


class Exchanges:
    def __init__(
        self, quotes: Quotes, payment: PaymentProvider, clock: Clock, policy: ReturnPolicy
    ) -> None:
        self.quotes = quotes
        self.payment = payment
        self.clock = clock
        self.policy = policy

    async def start(
        self, ret: Return, order: Order, credit: ReturnRefund, request: ExchangeRequest
    ) -> ExchangeRecord:
        """Quote the new item (landed cost included when it comes from another region) and
        charge the difference at once if the customer owes one."""
        quantity = sum(ret.units.values())
        customer = Actor(type="customer", id=ret.customer_id)
        replacement = await self.quotes.quote_cart(
            customer,
            ret.region,
            [CartLine(request.style, quantity)],
            request_id=f"{ret.return_id}:exchange",
        )
        terms = start_exchange(
            self.policy,
            return_id=ret.return_id,
            credit=credit,
            replacement=replacement,
            fallback=request.fallback,
            now=self.clock.now(),
        )
        warehouse = replacement.shipments[0].warehouse
        record = ExchangeRecord(terms, request.style, quantity, warehouse, reservation_id="")
        if terms.difference.direction is DifferenceDirection.CHARGE:
            key = f"{ret.return_id}:exchange_difference"
            auth = await self._charge(terms.difference.amount, order.payment_token, key)
            record.charge_authorization_id = auth
        return record

    async def reserve(self, work: Work, ret: Return) -> None:
        """Hold the new item now, in the return's own write (raises InsufficientStock)."""
        x = ret.exchange
        assert x is not None
        held = await work.stock.reserve(
            owner_id=ret.return_id,
            warehouse=x.warehouse,
            style=x.style,
            quantity=x.quantity,
            now=self.clock.now(),
            purpose="exchange",
        )
        x.reservation_id = held.reservation_id

    async def undo_charge(self, ret: Return) -> None:
        """The exchange could not be stored: give back a difference already charged."""
        x = ret.exchange
        if x is not None and x.charge_authorization_id is not None:
            await self.payment.refund(x.charge_authorization_id)

    async def settle(self, ret: Return, order: Order) -> Settlement:
        """The parcel is overdue: charge the new item in full, or cancel the exchange and
        give back a difference already charged (raises exchange_parcel_not_overdue before)."""
        x = ret.exchange
        assert x is not None
        outcome = settle_unreturned(x.terms, self.clock.now())
        charged = refunded = None
        if not outcome.charge.is_zero():
            key = f"{ret.return_id}:exchange_unreturned"
            await self._charge(outcome.charge, order.payment_token, key)
            charged = outcome.charge
        if not outcome.refund.is_zero() and x.charge_authorization_id is not None:
            key = f"{ret.return_id}:exchange_cancelled"
            await self.payment.refund_part(x.charge_authorization_id, outcome.refund, key)
            refunded = outcome.refund
        return Settlement(charged, refunded, outcome.cancel_replacement)

    async def _charge(self, amount: Money, token: str, key: str) -> str:
        for attempt in range(1, PAYMENT_ATTEMPTS + 1):
            try:
                auth = await self.payment.authorize(amount, token, key)
                break
            except PaymentTimeout:
                if attempt == PAYMENT_ATTEMPTS:
                    raise
        await self.payment.capture(auth.authorization_id)
        return auth.authorization_id
