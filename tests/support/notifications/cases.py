"""The notifications use cases wired for tests: a migrated SQLite database, real repositories,
scripted channels and a clock the test controls."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from cryptography.fernet import Fernet
from standardwebhooks import Webhook

from services.notifications import app
from services.notifications.adapters.sandbox import SandboxPushProvider, SandboxSmsProvider
from services.notifications.adapters.secret_box import SecretBox
from services.notifications.adapters.tables import deliveries
from services.notifications.adapters.unit_of_work import sql_unit_of_work, work_in
from services.notifications.adapters.webhook_signing import signed_headers
from services.notifications.domain.incoming import IncomingEvent
from services.notifications.domain.ports import (
    Receipt,
    SendOutcome,
    SendResult,
    SendStatus,
    SingleCallHandoff,
)
from services.notifications.domain.webhooks import RetrySchedule
from services.notifications.entrypoints.rpc import CustomerRpc, HeldMessagesRpc, WebhookRpc
from services.notifications.service_layer.delivery_records import DeliveryRecords
from services.notifications.service_layer.message_delivery import DeliveryWorker, UncertainPolicy
from services.notifications.service_layer.use_cases import UseCases
from services.notifications.service_layer.webhook_delivery import WebhookWorker
from services.notifications.settings import Settings
from shared.actor import Actor
from shared.clock import Clock, FixedClock
from shared.contracts import notifications as c
from shared.messaging.outbox import UnitOfWork

NOW = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
ME = Actor(type="customer", id="c1")
PARTNER = Actor(type="partner", id="p1")
T0 = datetime.now(UTC).replace(microsecond=0)
# Three attempts in all: 1 s, then 1 s (span >= 2 s), no jitter.
SHORT = RetrySchedule(base_seconds=1, multiplier=1, cap_seconds=1, min_span_seconds=2, jitter=0)
BOX_KEYS = [Fernet.generate_key().decode()]
BOX = SecretBox(BOX_KEYS)


class SteppingClock:
    """A clock that moves only when told to, starting at T0."""

    def __init__(self, at: datetime = T0) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


class _CallClock:
    def __init__(self, read: Callable[[], datetime]) -> None:
        self.read = read

    def now(self) -> datetime:
        return self.read()


def as_clock(clock: Clock | datetime | Callable[[], datetime]) -> Clock:
    """A fixed instant, a function read at each call, or a clock as it is."""
    if isinstance(clock, datetime):
        return FixedClock(clock)
    if callable(getattr(clock, "now", None)):
        return clock  # type: ignore[return-value]
    return _CallClock(clock)  # type: ignore[arg-type]


def use_cases(
    uow: UnitOfWork,
    clock: Any = NOW,
    *,
    box: SecretBox = BOX,
    settings: dict[str, Any] | None = None,
    **overrides: Any,
) -> UseCases:
    """Every use case on `uow`, as app.py wires them (webhook secrets rotate with 1 h overlap;
    `settings` changes others)."""
    defaults = {"public_base_url": "http://api", "webhook_secret_rotation_overlap_hours": 1}
    configured = Settings(**defaults | (settings or {}))
    return app.use_cases(sql_unit_of_work(uow, box), configured, as_clock(clock), **overrides)


def customer_rpc(uow: UnitOfWork, clock: Any = NOW) -> CustomerRpc:
    return CustomerRpc(use_cases(uow, clock))


def held_rpc(uow: UnitOfWork, clock: Any = NOW) -> HeldMessagesRpc:
    return HeldMessagesRpc(use_cases(uow, clock))


async def public(host: str, port: int) -> list[str]:
    """A resolver placing every host at one public address."""
    return ["93.184.216.34"]


# URLs a stored endpoint may carry from before registration refused them.
POISONED_URLS = [
    "https://8.8.8.8/hook\r\nX: y",
    "https://8.8.8.8/ho\tok",
    "https://8.8.8.8/hook\x00",
    "https://8.8.8.8/hook\x7f",
    "https://8.8.8.8/hook?a=b\nc",
]


def webhook_rpc(
    uow: UnitOfWork, clock: Any = NOW, *, resolver: Any = None, **settings: Any
) -> WebhookRpc:
    """Webhook management; targets resolve to a public address unless `resolver` says else."""
    return WebhookRpc(use_cases(uow, clock, resolver=resolver or public, settings=settings))


async def apply(uow: UnitOfWork, rpc: Any, event: IncomingEvent) -> int:
    """Plan the messages `event` causes, in one transaction (as the consumer does)."""
    async with uow() as tx:
        return await rpc.cases.planning.on_event(work_in(BOX)(tx), event)


async def fan_out_event(uow: UnitOfWork, rpc: Any, event: IncomingEvent) -> int:
    """Queue `event` for the subscribed webhook endpoints, in one transaction."""
    async with uow() as tx:
        return await rpc.cases.fanout.on_event(work_in(BOX)(tx), event)


async def fan_out(uow: UnitOfWork, rpc: Any, event_id: str = "evt-1") -> None:
    event = IncomingEvent(id=event_id, type="warranty.claim.approved", time=T0,
                          data={"claim_id": "CLM-1", "customer_id": "c1"})  # fmt: skip
    await fan_out_event(uow, rpc, event)


def event(type_: str, **data: Any) -> IncomingEvent:
    base = {"claim_id": "CLM-1", "customer_id": "c1", "region": "UK", "product_name": "Tote"}
    return IncomingEvent(id=uuid.uuid4().hex, type=type_, time=NOW, data=base | data)


async def rows(uow: UnitOfWork, table: sa.Table) -> list[Any]:
    async with uow.db.read() as session:
        return list((await session.execute(sa.select(table))).all())


class RecordingEmail:
    """An email channel whose whole send is one call; scripted outcomes, then success."""

    def __init__(self, outcomes: Any = None, receipt: Receipt = Receipt.UNKNOWN) -> None:
        self.sent: list[Any] = []
        self.outcomes = list(outcomes or [])
        self.receipt = receipt

    async def prepare(self, message: Any) -> Any:
        return SingleCallHandoff(lambda: self.send(message))

    async def confirm(self, message: Any) -> Receipt:
        return self.receipt

    async def send(self, message: Any) -> SendOutcome:
        self.sent.append(message)
        if self.outcomes:
            return self.outcomes.pop(0)
        return SendOutcome(SendStatus.SENT, provider_message_id="mid")


def delivery_worker(
    uow: UnitOfWork,
    email: Any,
    *,
    clock: Any = NOW,
    uncertain: UncertainPolicy = UncertainPolicy.HOLD,
    max_attempts: int = 6,
    retry_base_seconds: float = 30.0,
    lease_seconds: float = 60.0,
) -> DeliveryWorker:
    work = sql_unit_of_work(uow, BOX)
    records = DeliveryRecords(work, as_clock(clock), max_attempts=max_attempts,
                              retry_base_seconds=retry_base_seconds,
                              lease=timedelta(seconds=lease_seconds))  # fmt: skip
    channels = {"email": email, "sms": SandboxSmsProvider(), "push": SandboxPushProvider()}
    return DeliveryWorker(work, records, channels, as_clock(clock), uncertain=uncertain)


def webhook_worker(
    uow: UnitOfWork, sender: Any, schedule: RetrySchedule, *, clock: Any, box: SecretBox = BOX
) -> WebhookWorker:
    work = sql_unit_of_work(uow, box)
    return WebhookWorker(work, sender, signed_headers, schedule, as_clock(clock))


class ScriptedSender:
    """A webhook sender answering `statuses` in turn (None: a timeout), then 200."""

    def __init__(self, statuses: list[int | None], headers: dict[str, str] | None = None) -> None:
        self.statuses = statuses
        self.headers = headers or {}
        self.requests: list[tuple[str, bytes, dict[str, str]]] = []

    async def send(self, url: str, body: bytes, headers: dict[str, str]) -> SendResult:
        self.requests.append((url, body, headers))
        status = self.statuses.pop(0) if self.statuses else 200
        if status is None:
            return SendResult(None, error="timeout")
        return SendResult(status, headers=self.headers)


LEASE = 60


def worker(
    uow: UnitOfWork,
    email: Any,
    *,
    at: datetime = NOW,
    policy: UncertainPolicy = UncertainPolicy.HOLD,
) -> DeliveryWorker:
    """A delivery worker at `at`, with a 60 s lease and retries from 10 s."""
    return delivery_worker(uow, email, clock=at, uncertain=policy, lease_seconds=LEASE,
                           retry_base_seconds=10)  # fmt: skip


async def plan_one_email(uow: UnitOfWork) -> None:
    """A customer with an email address, and a claim event that sends them one email."""
    n = customer_rpc(uow)
    await n.put_contact(c.PutContactRequest(email="m@example.co.uk", locale="en-GB"), ME)
    await apply(uow, n, event("warranty.claim.approved", status="approved", rule="r",
                               policy_version="2024-01", reasons=["Covered."]))  # fmt: skip


async def email_row(uow: UnitOfWork) -> Any:
    [row] = [r for r in await rows(uow, deliveries) if r.channel == "email"]
    return row


def verified_at_its_timestamp(secret: str, body: str | bytes, headers: dict[str, str]) -> Any:
    """The payload of a signed delivery, once its Standard Webhooks signature checks out for the
    timestamp it carries. The library's `verify()` also refuses a timestamp more than 5 minutes
    from the wall clock, which a delivery signed on a test's stepping clock (T0, fixed when the
    test session started) can be by the time a long run reaches the test."""
    text = body.decode() if isinstance(body, bytes) else body
    signed_at = datetime.fromtimestamp(int(headers["webhook-timestamp"]), UTC)
    expected = Webhook(secret).sign(headers["webhook-id"], signed_at, text)
    assert expected in headers["webhook-signature"].split(" ")
    return json.loads(text)
