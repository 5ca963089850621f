"""The order events JetStream delivers to notifications follow the webhook endpoints, against a
real nats-server and both databases: an event nobody needs is never delivered; one a partner
subscribed to is, from the registration on; a replica that binds again keeps the subscription;
the lock that orders filter changes is held until the transaction ends."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import nats
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from services.notifications.adapters.unit_of_work import NotificationsWork, sql_unit_of_work
from services.notifications.app import build
from services.notifications.domain.consumed_events import order_events_wanted
from services.notifications.entrypoints.consumers import ORDERS_DURABLE
from services.notifications.settings import Settings
from shared.actor import Actor
from shared.contracts import notifications as c
from shared.contracts.orders import events as o
from shared.contracts.registry import load_all
from shared.messaging.outbox import UnitOfWork
from shared.messaging.streams import ORDERS
from shared.messaging.subject_filter import subjects_of
from shared.persistence.db import Database
from shared.persistence.messaging_tables import inbox_table
from shared.persistence.migrations import upgrade_async
from shared.rpc import RpcClient
from tests.support.notifications.integration import CUSTOMER, PartnerEndpoint, publish
from tests.support.waiting import eventually

PARTNER = Actor(type="partner", id="partner-ledger")
PAID = "orders.order.payment_authorized"
BARE = sorted(order_events_wanted(load_all(), []))
MIGRATIONS = Path(__file__).resolve().parents[3] / "services" / "notifications" / "migrations"


def settings(nats_url: str, database_url: str) -> Settings:
    return Settings(nats_url=nats_url, database_url=database_url, relay_sweep_interval=0.1,
                    webhook_poll_interval=0.05, webhook_allow_private_targets=True)  # fmt: skip


@pytest.fixture
async def service(nats_server, database_url):
    rt = build(settings(nats_server.url, database_url))
    await rt.app.start()
    nc = await nats.connect(nats_server.url)
    try:
        yield rt, RpcClient(nc), nc.jetstream()
    finally:
        await nc.drain()
        await rt.app.stop()


def paid(order_id: str) -> o.OrderPaymentAuthorized:
    return o.OrderPaymentAuthorized(
        order_id=order_id, status="payment_authorized", quote_id="q1", customer_id=CUSTOMER.id,
        region="UK", style="VT02", quantity=1, offer_kind="local", warehouse="uk-1",
        currency="GBP", total="95.82", authorization_id="auth_1", amount="95.82",
    )  # fmt: skip


async def received(js) -> list[str]:
    return subjects_of((await js.consumer_info(ORDERS.name, ORDERS_DURABLE)).config)


async def register(rpc: RpcClient, url: str, *types: str) -> c.WebhookEndpointCreated:
    reply = await rpc.call(c.Subjects.CREATE_WEBHOOK, {"url": url, "event_types": list(types)},
                           actor=PARTNER)  # fmt: skip
    return c.WebhookEndpointCreated.model_validate(reply)


async def test_an_event_nobody_needs_is_not_delivered(service):
    rt, _rpc, js = service
    assert await received(js) == BARE
    before = await js.consumer_info(ORDERS.name, ORDERS_DURABLE)
    event_id = await publish(js, PAID, "ORD-1", paid("ORD-1"))
    await asyncio.sleep(0.5)  # it would have been applied by now
    after = await js.consumer_info(ORDERS.name, ORDERS_DURABLE)
    assert (after.delivered.stream_seq, after.num_pending) == (before.delivered.stream_seq, 0)
    async with rt.db.read() as session:
        rows = await session.execute(
            sa.select(inbox_table).where(inbox_table.c.event_id == event_id)
        )
        assert rows.first() is None


async def test_a_partners_subscription_brings_its_events_until_it_is_deleted(service):
    _rt, rpc, js = service
    partner = await PartnerEndpoint().start()
    try:
        created = await register(rpc, partner.url, PAID)
        assert await received(js) == sorted([*BARE, PAID])
        event_id = await publish(js, PAID, "ORD-2", paid("ORD-2"))

        async def sent() -> bool:
            return len(partner.requests) >= 1

        await eventually(sent, timeout=20)
        assert [h["webhook-id"] for h, _b, _s in partner.requests] == [event_id]
        await rpc.call(c.Subjects.DELETE_WEBHOOK, {"endpoint_id": created.id}, actor=PARTNER)
        assert await received(js) == BARE
    finally:
        await partner.stop()


async def test_a_replica_binding_again_keeps_the_subscriptions(nats_server, database_url):
    rt = build(settings(nats_server.url, database_url))
    await rt.app.start()
    nc = await nats.connect(nats_server.url)
    js = nc.jetstream()
    try:
        await register(RpcClient(nc), "http://127.0.0.1:9/hook", PAID)
        await rt.app.stop()
        await js.delete_consumer(ORDERS.name, ORDERS_DURABLE)  # as an operator might
        rt = build(settings(nats_server.url, database_url))
        await rt.app.start()
        assert await received(js) == sorted([*BARE, PAID])
    finally:
        await nc.drain()
        await rt.app.stop()


async def test_the_subscriptions_lock_is_held_until_the_transaction_ends_on_postgres(postgres_url):
    """Another transaction taking the lock waits until the holder's transaction ends."""
    await upgrade_async(postgres_url, MIGRATIONS)
    first, second = Database(postgres_url), Database(postgres_url)
    one, two = (sql_unit_of_work(UnitOfWork(db), Settings().secret_box) for db in (first, second))
    released = asyncio.Event()

    async def hold() -> None:
        async with one() as work:
            await work.endpoints.lock_subscriptions()
            await released.wait()

    async def take(work: NotificationsWork) -> datetime:
        await work.endpoints.lock_subscriptions()
        return datetime.now(UTC)

    holder = asyncio.create_task(hold())
    await asyncio.sleep(0.2)
    async with two() as work:
        waiter = asyncio.create_task(take(work))
        await asyncio.sleep(0.5)
        assert not waiter.done()
        let_go = datetime.now(UTC)
        released.set()
        assert await waiter >= let_go
    await holder
    await first.dispose()
    await second.dispose()


async def test_the_subscriptions_lock_is_the_writers_lock_on_sqlite(sqlite_url):
    """SQLite has one writer: the lock is its lock, so no other process writes meanwhile."""
    await upgrade_async(sqlite_url, MIGRATIONS)
    db = Database(sqlite_url)
    other = sqlite3.connect(make_url(sqlite_url).database, timeout=0, isolation_level=None)

    def other_writes() -> bool:
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            assert "locked" in str(exc)
            return False
        other.execute("ROLLBACK")
        return True

    async with sql_unit_of_work(UnitOfWork(db), Settings().secret_box)() as work:
        assert other_writes()
        await work.endpoints.lock_subscriptions()
        assert not other_writes()
    assert other_writes()
    other.close()
    await db.dispose()
