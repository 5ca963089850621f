"""Kill the orders process mid-saga (SIGKILL semantics) and check the restart finishes the job.

Nothing is held twice and nothing is lost: the stock is reserved once, the card authorized
once (the sandbox ledger is journaled in the service's database), and the order reaches
delivered after the restart.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from services.orders.adapters import tables as t
from services.orders.adapters.providers.sandbox_journal import sandbox_url
from shared.persistence.db import Database
from tests.support.orders.crashing import FAST_SAGA, orders_crashing_at

FAST = {**FAST_SAGA, "ORDERS_PAYMENT_RETRY_DELAY": "0.01"}
TC11_TO_UK = {"style": "TC11", "region": "UK"}


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
    async with orders_crashing_at(crash_at, nats_server.url, tmp_path, **FAST) as run:
        order = await run.place(TC11_TO_UK)
        run.wait_crash()
        at_crash = await snapshot(run.db_url)
        assert at_crash["orders"] == [status_at_crash]
        assert at_crash["stock"] == stock_at_crash
        assert at_crash["payments"] == ["authorized"]

        run.restart()
        await run.order_reaches(order["order_id"], "delivered")
        after = await snapshot(run.db_url)
    assert after["stock"] == (17, 0)  # one unit shipped, none left reserved
    assert after["payments"] == ["captured"]  # one authorization, captured once
    assert after["reservations"] == ["committed"]
    assert after["shipments"] == 1  # booked once, even when killed right after booking


async def test_crash_after_reservation_then_failure_undoes_everything(
    nats_server, tmp_path: Path
) -> None:
    """Killed after reserving; after the restart the carrier refuses: nothing stays held."""
    crash_at = "orders.after_stock_reserved"
    async with orders_crashing_at(crash_at, nats_server.url, tmp_path, **FAST) as run:
        order = await run.place(TC11_TO_UK)
        run.wait_crash()
        assert (await snapshot(run.db_url))["stock"] == (18, 1)
        run.restart(ORDERS_CARRIER_REFUSE_DESTINATIONS="UK")
        got = await run.order_when(
            order["order_id"],
            lambda o: o["status"] == "failed" and len(o["compensations_done"]) == 2,
        )
        assert got["failure"]["reason_code"] == "carrier_refused"
        after = await snapshot(run.db_url)
    assert after["stock"] == (18, 0)  # no stock held
    assert after["payments"] == ["voided"]  # no authorization left
    assert after["reservations"] == ["released"]


async def test_cart_crash_between_parcels_then_resume_to_delivered(
    nats_server, tmp_path: Path
) -> None:
    """A cart of JR01 (UK-LON, local) and TC11 (US-NJ, DDP): killed right after the first
    parcel was booked and before anything was recorded. The restart books the second parcel
    only, and both parcels run to delivered: one authorization captured once, two lines
    reserved and committed once each, two parcels booked once each."""
    crash_at = "orders.after_shipment_created"
    lines = [{"style": "JR01", "quantity": 1}, {"style": "TC11", "quantity": 1}]
    async with orders_crashing_at(crash_at, nats_server.url, tmp_path, **FAST) as run:
        order = await run.place({"region": "UK", "lines": lines})
        run.wait_crash()
        at_crash = await snapshot(run.db_url)
        assert (at_crash["orders"], at_crash["shipments"]) == (["stock_reserved"], 1)
        assert at_crash["reservations"] == ["held", "held"]
        run.restart()
        got = await run.order_reaches(order["order_id"], "delivered")
        assert [(p["warehouse"], p["status"]) for p in got["shipments"]] == [
            ("UK-LON", "delivered"),
            ("US-NJ", "delivered"),
        ]
        after = await snapshot(run.db_url)
    assert after["stock"] == (17, 0)
    assert after["payments"] == ["captured"]
    assert after["reservations"] == ["committed", "committed"]
    assert after["shipments"] == 2  # the first parcel was found by its key, not rebooked
