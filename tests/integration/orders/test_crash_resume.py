"""Kill the orders process mid-saga (SIGKILL semantics) and check the restart finishes the job.

Nothing is held twice and nothing is lost: the stock is reserved once, the card authorized
once (the sandbox ledger is journaled in the service's database), and the order reaches
delivered after the restart.
"""

from __future__ import annotations

from pathlib import Path

import nats
import pytest
import sqlalchemy as sa

from services.orders.adapters import tables as t
from services.orders.adapters.providers.sandbox_journal import sandbox_url
from shared.actor import Actor
from shared.contracts import orders as c
from shared.persistence.db import Database
from shared.rpc import RpcClient
from tests.support.processes import service_process
from tests.support.waiting import eventually

CUSTOMER = Actor(type="customer", id="cust-uk-1")
FAST = {
    "ORDERS_CARRIER_IN_TRANSIT_AFTER": "0.3",
    "ORDERS_CARRIER_DELIVERED_AFTER": "0.6",
    "ORDERS_SAGA_SWEEP_INTERVAL": "0.2",
    "ORDERS_TRACKING_POLL_INTERVAL": "0.2",
    "ORDERS_PAYMENT_RETRY_DELAY": "0.01",
}


async def snapshot(db_url: str) -> dict:
    db = Database(db_url)
    sandbox = Database(sandbox_url(db_url))
    try:
        async with db.read() as s:
            stock = (
                await s.execute(
                    sa.select(t.stock.c.on_hand, t.stock.c.reserved).where(
                        t.stock.c.warehouse == "US-NJ", t.stock.c.style == "TC11"
                    )
                )
            ).one()
            orders = (await s.execute(sa.select(t.orders.c.status))).scalars().all()
            reservations = (await s.execute(sa.select(t.reservations.c.status))).scalars().all()
        async with sandbox.read() as s:
            payments = (await s.execute(sa.select(t.sandbox_payments.c.status))).scalars().all()
            shipments = (
                (await s.execute(sa.select(t.sandbox_shipments.c.shipment_id))).scalars().all()
            )
        return {
            "stock": tuple(stock),
            "payments": list(payments),
            "orders": list(orders),
            "reservations": list(reservations),
            "shipments": len(shipments),
        }
    finally:
        await db.dispose()
        await sandbox.dispose()


@pytest.mark.parametrize(
    ("crash_at", "status_at_crash", "stock_at_crash"),
    [
        # killed after the provider authorized, before the order recorded it
        ("orders.after_payment_authorized", "pending", (18, 0)),
        ("orders.after_stock_reserved", "stock_reserved", (18, 1)),
        # killed after the carrier booked, before the order recorded it
        ("orders.after_shipment_created", "stock_reserved", (18, 1)),
    ],
)
async def test_crash_then_resume_to_delivered(
    nats_server, tmp_path: Path, crash_at: str, status_at_crash: str, stock_at_crash: tuple
) -> None:
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'orders.db'}"
    log = tmp_path / "orders.log"
    first = service_process(
        "services.orders",
        "ORDERS_",
        nats_server.url,
        db_url,
        log,
        CONCIERGE_CRASH_AT=crash_at,
        **FAST,
    ).start()
    nc = await nats.connect(nats_server.url)
    rpc = RpcClient(nc, default_timeout=10)
    try:
        quote = await rpc.call(c.Subjects.QUOTE, {"style": "TC11", "region": "UK"}, actor=CUSTOMER)
        order = await rpc.call(
            c.Subjects.PLACE_ORDER,
            {"quote_id": quote["quote_id"], "payment_token": "tok_ok"},
            actor=CUSTOMER,
        )
        assert first.wait_exit(20) == 137, first.logs()[-2000:]
        at_crash = await snapshot(db_url)
        assert at_crash["orders"] == [status_at_crash]
        assert at_crash["stock"] == stock_at_crash
        assert at_crash["payments"] == ["authorized"]

        second = service_process(
            "services.orders", "ORDERS_", nats_server.url, db_url, log, **FAST
        ).start()
        try:

            async def delivered() -> bool:
                got = await rpc.call(
                    c.Subjects.GET_ORDER, {"order_id": order["order_id"]}, actor=CUSTOMER
                )
                return got["status"] == "delivered"

            await eventually(delivered, timeout=30)
        finally:
            second.terminate()
        after = await snapshot(db_url)
        assert after["stock"] == (17, 0)  # one unit shipped, none left reserved
        assert after["payments"] == ["captured"]  # one authorization, captured once
        assert after["reservations"] == ["committed"]
        assert after["shipments"] == 1  # booked once, even when killed right after booking
    finally:
        first.kill()
        await nc.drain()


async def test_crash_after_reservation_then_failure_undoes_everything(
    nats_server, tmp_path: Path
) -> None:
    """Killed after reserving; after the restart the carrier refuses: nothing stays held."""
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'orders.db'}"
    log = tmp_path / "orders.log"
    first = service_process(
        "services.orders", "ORDERS_", nats_server.url, db_url, log,
        CONCIERGE_CRASH_AT="orders.after_stock_reserved", **FAST,
    ).start()  # fmt: skip
    nc = await nats.connect(nats_server.url)
    rpc = RpcClient(nc, default_timeout=10)
    second = None
    try:
        quote = await rpc.call(c.Subjects.QUOTE, {"style": "TC11", "region": "UK"}, actor=CUSTOMER)
        order = await rpc.call(
            c.Subjects.PLACE_ORDER,
            {"quote_id": quote["quote_id"], "payment_token": "tok_ok"},
            actor=CUSTOMER,
        )
        assert first.wait_exit(20) == 137
        assert (await snapshot(db_url))["stock"] == (18, 1)
        second = service_process(
            "services.orders", "ORDERS_", nats_server.url, db_url, log,
            ORDERS_CARRIER_REFUSE_DESTINATIONS="UK", **FAST,
        ).start()  # fmt: skip

        async def failed() -> dict | None:
            got = await rpc.call(
                c.Subjects.GET_ORDER, {"order_id": order["order_id"]}, actor=CUSTOMER
            )
            done = got["status"] == "failed" and len(got["compensations_done"]) == 2
            return got if done else None

        got = await eventually(failed, timeout=30)
        assert got["failure"]["reason_code"] == "carrier_refused"
        after = await snapshot(db_url)
        assert after["stock"] == (18, 0)  # no stock held
        assert after["payments"] == ["voided"]  # no authorization left
        assert after["reservations"] == ["released"]
    finally:
        if second is not None:
            second.terminate()
        first.kill()
        await nc.drain()


async def test_cart_crash_between_parcels_then_resume_to_delivered(
    nats_server, tmp_path: Path
) -> None:
    """A cart of JR01 (UK-LON, local) and TC11 (US-NJ, DDP): killed right after the first
    parcel was booked and before anything was recorded. The restart books the second parcel
    only, and both parcels run to delivered: one authorization captured once, two lines
    reserved and committed once each, two parcels booked once each."""
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'orders.db'}"
    log = tmp_path / "orders.log"
    first = service_process(
        "services.orders", "ORDERS_", nats_server.url, db_url, log,
        CONCIERGE_CRASH_AT="orders.after_shipment_created", **FAST,
    ).start()  # fmt: skip
    nc = await nats.connect(nats_server.url)
    rpc = RpcClient(nc, default_timeout=10)
    second = None
    try:
        lines = [{"style": "JR01", "quantity": 1}, {"style": "TC11", "quantity": 1}]
        quote = await rpc.call(c.Subjects.QUOTE, {"region": "UK", "lines": lines}, actor=CUSTOMER)
        order = await rpc.call(
            c.Subjects.PLACE_ORDER,
            {"quote_id": quote["quote_id"], "payment_token": "tok_ok"},
            actor=CUSTOMER,
        )
        assert first.wait_exit(20) == 137, first.logs()[-2000:]
        at_crash = await snapshot(db_url)
        assert (at_crash["orders"], at_crash["shipments"]) == (["stock_reserved"], 1)
        assert at_crash["reservations"] == ["held", "held"]
        second = service_process(
            "services.orders", "ORDERS_", nats_server.url, db_url, log, **FAST
        ).start()

        async def delivered() -> dict | None:
            got = await rpc.call(
                c.Subjects.GET_ORDER, {"order_id": order["order_id"]}, actor=CUSTOMER
            )
            return got if got["status"] == "delivered" else None

        got = await eventually(delivered, timeout=30)
        assert [(p["warehouse"], p["status"]) for p in got["shipments"]] == [
            ("UK-LON", "delivered"),
            ("US-NJ", "delivered"),
        ]
        after = await snapshot(db_url)
        assert after["stock"] == (17, 0)
        assert after["payments"] == ["captured"]
        assert after["reservations"] == ["committed", "committed"]
        assert after["shipments"] == 2  # the first parcel was found by its key, not rebooked
    finally:
        if second is not None:
            second.terminate()
        first.kill()
        await nc.drain()
