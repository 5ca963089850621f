"""Sandbox carrier: books shipments (with customs data) and reports tracking on a schedule.

A shipment shows `label_created` at booking, `in_transit` after `in_transit_after` and
`delivered` after `delivered_after` (both measured on the injected clock); like a real label, a
shipment can be cancelled only until it leaves (`in_transit`). Destinations or HS
codes listed in `refuse_destinations` / `refuse_hs_codes` are refused, to exercise that path.

A return label follows its own schedule: `in_transit` once the customer has handed the parcel
over (`return_picked_up_after`), `delivered` once the carrier scans it in at the warehouse
(`return_scanned_in_after`); None for either means the parcel never gets there (a customer who
keeps the goods), so a test can let an exchange's deadline pass.

`subscribe(listener)` makes it push an order's id at each scheduled update of the order's
parcels, as a real carrier's tracking webhooks would (sandbox_push.py).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from services.orders.adapters.providers.sandbox_push import Listener, TrackingPush
from services.orders.adapters.providers.sandbox_requests import any_request_from, any_request_to
from services.orders.domain.errors import CarrierRefused, ShipmentNotCancellable, UnknownShipment
from services.orders.domain.ports import (
    RETURNED_GOODS,
    ReturnLabelRequest,
    Shipment,
    ShipmentRequest,
    TrackingStatus,
    TrackingUpdate,
)
from shared.clock import Clock, SystemClock

_NAMESPACE = uuid.UUID("9d6f1f0e-3b1a-4d8e-8f53-2a7c5e0b9c42")


@dataclass
class _Booked:
    request: ShipmentRequest | ReturnLabelRequest
    shipment: Shipment
    created_at: datetime
    cancelled_at: datetime | None = None


class ShipmentJournal(Protocol):
    async def save_shipment(self, row: dict[str, Any]) -> None: ...

    async def add_shipment(self, row: dict[str, Any]) -> bool: ...

    async def load_shipments(self) -> list[dict[str, Any]]: ...

    async def load_shipment(
        self, *, key: str | None = None, shipment_id: str | None = None
    ) -> dict[str, Any] | None: ...


class SandboxCarrierProvider:
    name = "sandbox-post"

    def __init__(
        self,
        clock: Clock | None = None,
        *,
        in_transit_after: timedelta = timedelta(seconds=30),
        delivered_after: timedelta = timedelta(seconds=90),
        refuse_destinations: frozenset[str] = frozenset(),
        refuse_hs_codes: frozenset[str] = frozenset(),
        journal: ShipmentJournal | None = None,
        return_picked_up_after: timedelta | None = timedelta(seconds=60),
        return_scanned_in_after: timedelta | None = timedelta(seconds=180),
    ) -> None:
        if delivered_after < in_transit_after:
            raise ValueError("delivered_after must not be earlier than in_transit_after")
        self.clock = clock or SystemClock()
        self.in_transit_after = in_transit_after
        self.delivered_after = delivered_after
        self.refuse_destinations = refuse_destinations
        self.refuse_hs_codes = refuse_hs_codes
        self.journal = journal
        self.return_schedule = (return_picked_up_after, return_scanned_in_after)
        self._by_key: dict[str, _Booked] = {}
        self._by_id: dict[str, _Booked] = {}
        self.push = TrackingPush(self.clock)

    def subscribe(self, listener: Listener) -> None:
        """Call `listener(order_id)` when an order's parcel moves (a tracking webhook)."""
        self.push.subscribe(listener)

    async def restore(self) -> int:
        """Reload booked shipments from the journal (at start-up)."""
        if self.journal is None:
            return 0
        for row in await self.journal.load_shipments():
            self._remember(row)
        return len(self._by_id)

    def _remember(self, row: dict[str, Any]) -> None:
        cancelled = None if row["cancelled_at"] is None else _utc(row["cancelled_at"])
        known = self._by_id.get(row["shipment_id"])
        if known is not None and known.request.idempotency_key == row["idempotency_key"]:
            # A booking read through again (every tracking read): what was booked never changes
            # once stored, so its request is not parsed again; the times are the journal's.
            known.created_at, known.cancelled_at = _utc(row["created_at"]), cancelled
            return
        booked = _Booked(
            any_request_from(row["request"]),
            Shipment(row["shipment_id"], row["tracking_number"], row["carrier"]),
            _utc(row["created_at"]),
            cancelled,
        )
        self._by_key[booked.request.idempotency_key] = booked
        self._by_id[booked.shipment.shipment_id] = booked

    async def _sync(self, *, key: str | None = None, shipment_id: str | None = None) -> None:
        """Read one booking through from the journal: another replica may have changed it."""
        if self.journal is not None:
            row = await self.journal.load_shipment(key=key, shipment_id=shipment_id)
            if row is not None:
                self._remember(row)

    async def _persist(self, booked: _Booked) -> None:
        if self.journal is not None:
            await self.journal.save_shipment(_row(booked))

    async def create_shipment(self, request: ShipmentRequest) -> Shipment:
        key = request.idempotency_key
        refusal = self._refusal(request)
        if refusal is None and key not in self._by_key and self.journal is not None:
            # A key this process has not seen: book it in one statement, unless it was booked
            # first (elsewhere, or before a restart): then read that booking through.
            booked = self._booking(request)
            if await self.journal.add_shipment(_row(booked)):
                return self._keep(booked)
        await self._sync(key=key)
        found = self._by_key.get(key)
        if found is not None:
            return found.shipment
        if refusal is not None:
            raise refusal
        booked = self._booking(request)
        await self._persist(booked)
        return self._keep(booked)

    def _refusal(self, request: ShipmentRequest) -> CarrierRefused | None:
        if request.customs.incoterm != "DDP":
            return CarrierRefused(
                "only DDP shipments are accepted", details={"incoterm": request.customs.incoterm}
            )
        hs_codes = {x.hs_code for x in (request.customs, *request.more_customs)}
        if request.to_region in self.refuse_destinations or hs_codes & set(self.refuse_hs_codes):
            return CarrierRefused(
                "carrier refused the shipment",
                details={"to_region": request.to_region, "hs_code": request.customs.hs_code},
            )
        return None

    def _booking(self, request: ShipmentRequest) -> _Booked:
        digest = uuid.uuid5(_NAMESPACE, request.idempotency_key)
        shipment = Shipment(
            shipment_id="shp_sbx_" + digest.hex[:20],
            tracking_number="SBX" + str(digest.int)[:12],
            carrier=self.name,
        )
        return _Booked(request, shipment, self.clock.now())

    def _keep(self, booked: _Booked) -> Shipment:
        """Remember a new booking (persisted) and arm its pushes."""
        self._by_key[booked.request.idempotency_key] = booked
        self._by_id[booked.shipment.shipment_id] = booked
        self._arm(booked)
        return booked.shipment

    async def create_return_label(self, request: ReturnLabelRequest) -> Shipment:
        await self._sync(key=request.idempotency_key)
        booked = self._by_key.get(request.idempotency_key)
        if booked is not None:
            return booked.shipment
        if any(c.procedure != RETURNED_GOODS for c in request.customs):
            raise CarrierRefused(
                "a return label declares its goods as returned goods",
                details={"return_id": request.return_id},
            )
        digest = uuid.uuid5(_NAMESPACE, "return:" + request.idempotency_key)
        label = Shipment(
            shipment_id="rtn_sbx_" + digest.hex[:20],
            tracking_number="SBR" + str(digest.int)[:12],
            carrier=self.name,
        )
        booked = _Booked(request, label, self.clock.now())
        self._by_key[request.idempotency_key] = booked
        self._by_id[label.shipment_id] = booked
        await self._persist(booked)
        return label

    async def find(self, idempotency_key: str) -> Shipment | None:
        await self._sync(key=idempotency_key)
        booked = self._by_key.get(idempotency_key)
        return None if booked is None else booked.shipment

    async def cancel(self, shipment_id: str) -> None:
        await self._sync(shipment_id=shipment_id)
        booked = self._booked(shipment_id)
        if booked.cancelled_at is not None:
            return
        status = self._status_at(booked, self.clock.now())
        if status is not TrackingStatus.LABEL_CREATED:
            # The order saga relies on this: once a cancel succeeded, the parcel never moves.
            raise ShipmentNotCancellable(
                f"a shipment that is {status} cannot be cancelled",
                details={"shipment_id": shipment_id, "status": str(status)},
            )
        booked.cancelled_at = self.clock.now()
        await self._persist(booked)

    async def tracking(self, shipment_id: str) -> list[TrackingUpdate]:
        await self._sync(shipment_id=shipment_id)
        booked = self._booked(shipment_id)
        self._arm(booked)  # the pushes of a parcel booked before a restart, or by a replica
        updates = [TrackingUpdate(shipment_id, TrackingStatus.LABEL_CREATED, booked.created_at)]
        if booked.cancelled_at is not None:
            updates.append(
                TrackingUpdate(shipment_id, TrackingStatus.CANCELLED, booked.cancelled_at)
            )
            return updates
        now = self.clock.now()
        for status, delay in self._schedule(booked):
            if delay is not None and now >= booked.created_at + delay:
                updates.append(TrackingUpdate(shipment_id, status, booked.created_at + delay))
        return updates

    def _arm(self, booked: _Booked) -> None:
        request = booked.request
        if isinstance(request, ShipmentRequest) and booked.cancelled_at is None:
            due = [booked.created_at + d for _, d in self._schedule(booked) if d is not None]
            sid = booked.shipment.shipment_id
            # The booking as last read through (a read replaces it): a cancelled parcel is quiet.
            live = lambda: self._by_id[sid].cancelled_at is None  # noqa: E731
            self.push.arm(sid, request.order_id, due, live)

    def request_for(self, shipment_id: str) -> ShipmentRequest | ReturnLabelRequest:
        """What was booked, customs data included (tests and operators)."""
        return self._booked(shipment_id).request

    def _schedule(self, booked: _Booked) -> list[tuple[TrackingStatus, timedelta | None]]:
        picked_up, scanned_in = (
            self.return_schedule
            if isinstance(booked.request, ReturnLabelRequest)
            else (self.in_transit_after, self.delivered_after)
        )
        return [(TrackingStatus.IN_TRANSIT, picked_up), (TrackingStatus.DELIVERED, scanned_in)]

    def is_cancelled(self, shipment_id: str) -> bool:
        return self._booked(shipment_id).cancelled_at is not None

    def _status_at(self, booked: _Booked, now: datetime) -> TrackingStatus:
        status = TrackingStatus.LABEL_CREATED
        for reached, delay in self._schedule(booked):
            if delay is not None and now >= booked.created_at + delay:
                status = reached
        return status

    def _booked(self, shipment_id: str) -> _Booked:
        try:
            return self._by_id[shipment_id]
        except KeyError:
            raise UnknownShipment(
                "unknown shipment", details={"shipment_id": shipment_id}
            ) from None


def _row(booked: _Booked) -> dict[str, Any]:
    return {
        "shipment_id": booked.shipment.shipment_id,
        "idempotency_key": booked.request.idempotency_key,
        "tracking_number": booked.shipment.tracking_number,
        "carrier": booked.shipment.carrier,
        "request": any_request_to(booked.request),
        "created_at": booked.created_at,
        "cancelled_at": booked.cancelled_at,
    }


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
