from __future__ import annotations

import pytest

from services.orders.adapters.providers.sandbox_payment import SandboxPaymentProvider
from services.orders.domain.errors import (
    IdempotencyMismatch,
    PaymentDeclined,
    PaymentTimeout,
    UnknownAuthorization,
)
from services.orders.domain.money import Money
from services.orders.domain.ports import AuthorizationStatus, PaymentProvider
from shared.errors import Conflict

AMOUNT = Money.of("95.82", "GBP")


def test_is_a_payment_provider() -> None:
    provider: PaymentProvider = SandboxPaymentProvider()
    assert provider is not None


async def test_tok_ok_authorizes_and_same_key_returns_same_authorization() -> None:
    pay = SandboxPaymentProvider()
    first = await pay.authorize(AMOUNT, "tok_ok", "order-1:authorize")
    again = await pay.authorize(AMOUNT, "tok_ok", "order-1:authorize")
    assert first == again
    assert first.status is AuthorizationStatus.AUTHORIZED and first.amount == AMOUNT
    assert len(pay.held()) == 1


async def test_tok_declined_is_declined_and_holds_nothing() -> None:
    pay = SandboxPaymentProvider()
    with pytest.raises(PaymentDeclined) as err:
        await pay.authorize(AMOUNT, "tok_declined", "k")
    assert err.value.code == "payment_declined"
    assert pay.held() == []


async def test_unknown_token_is_declined() -> None:
    with pytest.raises(PaymentDeclined):
        await SandboxPaymentProvider().authorize(AMOUNT, "tok_nope", "k")


@pytest.mark.parametrize("timeouts", [1, 3])
async def test_timeout_retried_with_same_key_never_double_charges(timeouts: int) -> None:
    pay = SandboxPaymentProvider(timeouts_before_success=timeouts)
    for _ in range(timeouts):
        with pytest.raises(PaymentTimeout):
            await pay.authorize(AMOUNT, "tok_timeout", "order-7:authorize")
    auth = await pay.authorize(AMOUNT, "tok_timeout", "order-7:authorize")
    assert await pay.authorize(AMOUNT, "tok_timeout", "order-7:authorize") == auth
    assert pay.attempts["order-7:authorize"] == timeouts + 2
    assert len(pay.ledger) == 1
    assert [a.authorization_id for a in pay.held()] == [auth.authorization_id]


async def test_a_timed_out_authorization_can_still_be_voided() -> None:
    # The saga gave up after the timeout: the hold that did happen must be releasable.
    pay = SandboxPaymentProvider()
    with pytest.raises(PaymentTimeout):
        await pay.authorize(AMOUNT, "tok_timeout", "k")
    (entry,) = pay.ledger.values()
    await pay.void(entry.authorization_id)
    assert pay.held() == []


async def test_new_key_is_a_new_charge() -> None:
    pay = SandboxPaymentProvider()
    await pay.authorize(AMOUNT, "tok_ok", "a")
    await pay.authorize(AMOUNT, "tok_ok", "b")
    assert len(pay.held()) == 2


async def test_key_reuse_with_other_amount_is_refused() -> None:
    pay = SandboxPaymentProvider()
    await pay.authorize(AMOUNT, "tok_ok", "k")
    with pytest.raises(IdempotencyMismatch):
        await pay.authorize(Money.of("1.00", "GBP"), "tok_ok", "k")


async def test_void_is_idempotent_and_blocks_capture() -> None:
    pay = SandboxPaymentProvider()
    auth = await pay.authorize(AMOUNT, "tok_ok", "k")
    await pay.void(auth.authorization_id)
    await pay.void(auth.authorization_id)
    assert pay.status(auth.authorization_id) is AuthorizationStatus.VOIDED
    with pytest.raises(Conflict):
        await pay.capture(auth.authorization_id)


async def test_capture_and_refund_are_idempotent() -> None:
    pay = SandboxPaymentProvider()
    auth = await pay.authorize(AMOUNT, "tok_ok", "k")
    with pytest.raises(Conflict):
        await pay.refund(auth.authorization_id)  # nothing captured yet
    cap = await pay.capture(auth.authorization_id)
    assert await pay.capture(auth.authorization_id) == cap
    with pytest.raises(Conflict):
        await pay.void(auth.authorization_id)
    refund = await pay.refund(auth.authorization_id)
    assert await pay.refund(auth.authorization_id) == refund
    assert pay.status(auth.authorization_id) is AuthorizationStatus.REFUNDED


async def test_unknown_authorization() -> None:
    with pytest.raises(UnknownAuthorization):
        await SandboxPaymentProvider().void("auth_nope")


async def test_ids_are_stable_across_instances() -> None:
    a = await SandboxPaymentProvider().authorize(AMOUNT, "tok_ok", "order-1")
    b = await SandboxPaymentProvider().authorize(AMOUNT, "tok_ok", "order-1")
    assert a.authorization_id == b.authorization_id
