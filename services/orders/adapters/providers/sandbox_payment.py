"""Sandbox payment provider (like a card processor's test mode), used by default.

Deterministic test tokens:
- `tok_ok`: authorized.
- `tok_declined`: declined (PaymentDeclined).
- `tok_timeout`: the first `timeouts_before_success` attempts for an idempotency key time out
  *after* the sandbox has authorized (the answer is lost, as in real life); a retry with the same
  key returns that same authorization. The ledger is keyed by idempotency key, so a retry can
  never charge twice.
Ids are derived from the idempotency key, so they are stable across process restarts. With a
`journal` (the service's database), the ledger survives a crash of the orders process: a
resumed saga still finds, voids or captures what it authorized before.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

from services.orders.domain.errors import (
    IdempotencyMismatch,
    PaymentDeclined,
    PaymentTimeout,
    UnknownAuthorization,
)
from services.orders.domain.money import Money
from services.orders.domain.ports import Authorization, AuthorizationStatus
from shared.errors import Conflict

TOK_OK = "tok_ok"
TOK_DECLINED = "tok_declined"
TOK_TIMEOUT = "tok_timeout"
_NAMESPACE = uuid.UUID("5b0c4a8e-7d4e-4c57-9a51-0f6d2c1c0a11")


@dataclass
class _Entry:
    idempotency_key: str
    token: str
    amount: Money
    authorization_id: str
    status: AuthorizationStatus = AuthorizationStatus.AUTHORIZED


class PaymentJournal(Protocol):
    async def save_payment(self, row: dict[str, Any]) -> None: ...

    async def add_payment(self, row: dict[str, Any]) -> bool: ...

    async def move_payment(self, authorization_id: str, was: str, to: str) -> bool: ...

    async def load_payments(self) -> list[dict[str, Any]]: ...

    async def load_payment(
        self, *, key: str | None = None, authorization_id: str | None = None
    ) -> dict[str, Any] | None: ...

    async def save_refund(self, row: dict[str, Any]) -> None: ...

    async def load_refunds(self, authorization_id: str) -> list[dict[str, Any]]: ...


class SandboxPaymentProvider:
    name = "sandbox"

    def __init__(
        self, timeouts_before_success: int = 1, journal: PaymentJournal | None = None
    ) -> None:
        self.timeouts_before_success = timeouts_before_success
        self.journal = journal
        self.ledger: dict[str, _Entry] = {}  # idempotency key -> the one authorization
        self._by_id: dict[str, _Entry] = {}
        self.attempts: Counter[str] = Counter()
        # Partial refunds (returns): idempotency key -> (refund id, authorization id, amount).
        self.refunds: dict[str, tuple[str, str, Money]] = {}

    async def restore(self) -> int:
        """Reload the ledger from the journal (at start-up)."""
        if self.journal is None:
            return 0
        for row in await self.journal.load_payments():
            self._remember(row)
        return len(self.ledger)

    def _remember(self, row: dict[str, Any]) -> _Entry:
        entry = _Entry(
            row["idempotency_key"],
            row["token"],
            Money(Decimal(row["amount"]), row["currency"]),
            row["authorization_id"],
            AuthorizationStatus(row["status"]),
        )
        return self._keep(entry)

    def _keep(self, entry: _Entry) -> _Entry:
        self.ledger[entry.idempotency_key] = entry
        self._by_id[entry.authorization_id] = entry
        return entry

    async def _sync(self, *, key: str | None = None, authorization_id: str | None = None) -> None:
        """Read one entry through from the journal: another replica may have changed it."""
        if self.journal is not None:
            row = await self.journal.load_payment(key=key, authorization_id=authorization_id)
            if row is not None:
                self._remember(row)

    async def _persist(self, entry: _Entry) -> None:
        if self.journal is not None:
            await self.journal.save_payment(self._row(entry))

    def _row(self, entry: _Entry) -> dict[str, Any]:
        return {
            "idempotency_key": entry.idempotency_key,
            "authorization_id": entry.authorization_id,
            "token": entry.token,
            "amount": str(entry.amount.amount),
            "currency": entry.amount.currency,
            "status": str(entry.status),
            "attempts": self.attempts[entry.idempotency_key],
        }

    async def _first(self, amount: Money, token: str, key: str) -> _Entry | None:
        """A key this process has not seen, for a token that authorizes: store the new
        authorization in one statement (None: the key was taken first, read it through)."""
        if self.journal is None or key in self.ledger or token not in (TOK_OK, TOK_TIMEOUT):
            return None
        entry = _Entry(key, token, amount, _authorization_id(key))
        if not await self.journal.add_payment(self._row(entry)):
            return None
        return self._keep(entry)

    async def authorize(self, amount: Money, token: str, idempotency_key: str) -> Authorization:
        self.attempts[idempotency_key] += 1
        entry = await self._first(amount, token, idempotency_key)
        if entry is not None:
            return self._answer(entry, token)
        await self._sync(key=idempotency_key)
        entry = self.ledger.get(idempotency_key)
        if entry is not None and (entry.amount != amount or entry.token != token):
            raise IdempotencyMismatch(
                "idempotency key reused with different parameters",
                details={"idempotency_key": idempotency_key},
            )
        if token not in (TOK_OK, TOK_TIMEOUT):
            detail = "card declined" if token == TOK_DECLINED else "unknown test token"
            raise PaymentDeclined(f"payment declined: {detail}", details={"decline_code": detail})
        if entry is None:
            entry = self._keep(
                _Entry(idempotency_key, token, amount, _authorization_id(idempotency_key))
            )
            await self._persist(entry)
        return self._answer(entry, token)

    def _answer(self, entry: _Entry, token: str) -> Authorization:
        key = entry.idempotency_key
        if token == TOK_TIMEOUT and self.attempts[key] <= self.timeouts_before_success:
            message = "payment provider timed out; retry with the same idempotency key"
            raise PaymentTimeout(message, details={"idempotency_key": key})
        return self._view(entry)

    async def find(self, idempotency_key: str) -> Authorization | None:
        await self._sync(key=idempotency_key)
        entry = self.ledger.get(idempotency_key)
        return None if entry is None else self._view(entry)

    async def void(self, authorization_id: str) -> None:
        if await self._moved(authorization_id, AuthorizationStatus.VOIDED):
            return
        await self._sync(authorization_id=authorization_id)
        entry = self._entry(authorization_id)
        if entry.status is AuthorizationStatus.VOIDED:
            return
        self._require(entry, AuthorizationStatus.AUTHORIZED, "void")
        entry.status = AuthorizationStatus.VOIDED
        await self._persist(entry)

    async def capture(self, authorization_id: str) -> str:
        if await self._moved(authorization_id, AuthorizationStatus.CAPTURED):
            return "cap_" + authorization_id.removeprefix("auth_")
        await self._sync(authorization_id=authorization_id)
        entry = self._entry(authorization_id)
        if entry.status is not AuthorizationStatus.CAPTURED:
            self._require(entry, AuthorizationStatus.AUTHORIZED, "capture")
            entry.status = AuthorizationStatus.CAPTURED
            await self._persist(entry)
        return "cap_" + authorization_id.removeprefix("auth_")

    async def _moved(self, authorization_id: str, to: AuthorizationStatus) -> bool:
        """Move an authorized payment to `to` in one journal statement (compare and set); False
        when it was not authorized there (a repeat, another replica, unknown): the caller then
        reads it through and decides as before."""
        was = AuthorizationStatus.AUTHORIZED
        if self.journal is None or not await self.journal.move_payment(
            authorization_id, str(was), str(to)
        ):
            return False
        entry = self._by_id.get(authorization_id)
        if entry is None:  # not seen by this process since it started: keep the ledger whole
            await self._sync(authorization_id=authorization_id)
        else:
            entry.status = to
        return True

    async def refund(self, authorization_id: str) -> str:
        await self._sync(authorization_id=authorization_id)
        entry = self._entry(authorization_id)
        if entry.status is not AuthorizationStatus.REFUNDED:
            self._require(entry, AuthorizationStatus.CAPTURED, "refund")
            entry.status = AuthorizationStatus.REFUNDED
            await self._persist(entry)
        return "re_" + authorization_id.removeprefix("auth_")

    async def refund_part(self, authorization_id: str, amount: Money, idempotency_key: str) -> str:
        await self._sync(authorization_id=authorization_id)
        entry = self._entry(authorization_id)
        await self._sync_refunds(authorization_id)
        done = self.refunds.get(idempotency_key)
        if done is not None:
            if done[1:] != (authorization_id, amount):
                raise IdempotencyMismatch(
                    "idempotency key reused with different parameters",
                    details={"idempotency_key": idempotency_key},
                )
            return done[0]  # the first refund under this key: nothing is paid twice
        self._require(entry, AuthorizationStatus.CAPTURED, "refund")
        if (
            amount.amount <= 0
            or (self.refunded(authorization_id) + amount).amount > entry.amount.amount
        ):
            raise Conflict(
                "refunds would exceed the captured amount",
                code="payment_refund_exceeds_capture",
                details={"authorization_id": authorization_id, "amount": str(amount.amount)},
            )
        refund_id = "re_sbx_" + uuid.uuid5(_NAMESPACE, "refund:" + idempotency_key).hex[:20]
        self.refunds[idempotency_key] = (refund_id, authorization_id, amount)
        if self.journal is not None:
            await self.journal.save_refund(
                {
                    "idempotency_key": idempotency_key,
                    "refund_id": refund_id,
                    "authorization_id": authorization_id,
                    "amount": str(amount.amount),
                    "currency": amount.currency,
                }
            )
        return refund_id

    async def _sync_refunds(self, authorization_id: str) -> None:
        if self.journal is not None:
            for row in await self.journal.load_refunds(authorization_id):
                money = Money(Decimal(row["amount"]), row["currency"])
                self.refunds[row["idempotency_key"]] = (row["refund_id"], authorization_id, money)

    def refunded(self, authorization_id: str) -> Money:
        """What partial refunds gave back on this authorization so far."""
        entry = self._entry(authorization_id)
        total = Money.zero(entry.amount.currency)
        for _id, auth, amount in self.refunds.values():
            if auth == authorization_id:
                total = total + amount
        return total

    # -- inspection (tests, operators) ---------------------------------------------------
    def status(self, authorization_id: str) -> AuthorizationStatus:
        return self._entry(authorization_id).status

    def held(self) -> list[Authorization]:
        """Authorizations still holding money on a card (authorized or captured)."""
        live = (AuthorizationStatus.AUTHORIZED, AuthorizationStatus.CAPTURED)
        return [self._view(e) for e in self.ledger.values() if e.status in live]

    def _entry(self, authorization_id: str) -> _Entry:
        try:
            return self._by_id[authorization_id]
        except KeyError:
            raise UnknownAuthorization(
                "unknown authorization", details={"authorization_id": authorization_id}
            ) from None

    @staticmethod
    def _require(entry: _Entry, status: AuthorizationStatus, action: str) -> None:
        if entry.status is not status:
            raise Conflict(
                f"cannot {action} an authorization that is {entry.status}",
                code=f"payment_cannot_{action}",
                details={"authorization_id": entry.authorization_id},
            )

    @staticmethod
    def _view(entry: _Entry) -> Authorization:
        return Authorization(entry.authorization_id, entry.amount, entry.status)


def _authorization_id(idempotency_key: str) -> str:  # stable across restarts and replicas
    return "auth_sbx_" + uuid.uuid5(_NAMESPACE, idempotency_key).hex[:20]
