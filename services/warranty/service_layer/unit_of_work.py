"""The unit of work as the use cases see it: one transaction's repositories, and its events.

    async with uow() as work:         # a write transaction: state and events commit together
        claim = await work.claims.get(claim_id, for_update=True)
        ...
        work.publish(event)
    async with uow.read() as work:    # a read-only snapshot (publishing from it is a bug)
    claim = await uow.claim_now(claim_id)  # one claim as it is now, without its history

adapters/unit_of_work.py implements it on SQL; nothing here knows about SQL.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol

from services.warranty.domain.abuse import PriorClaim
from services.warranty.domain.analytics import ClaimFacts
from services.warranty.domain.batches import BatchFlag, BatchKey, BatchVerdict
from services.warranty.domain.claims import Claim
from services.warranty.domain.events import WarrantyEvent
from services.warranty.domain.evidence import EvidencePhoto
from services.warranty.domain.reference import PartStock
from services.warranty.domain.resolution import PartUse
from services.warranty.domain.volumes import Volume


class ClaimRepository(Protocol):
    async def add(self, claim: Claim) -> None: ...
    async def save(self, claim: Claim) -> None: ...
    async def get(self, claim_id: str, *, for_update: bool = False) -> Claim | None: ...
    async def prior_claims(self, item_key: str) -> list[PriorClaim]: ...
    async def find(
        self,
        *,
        customer_id: str | None = None,
        statuses: Sequence[str] | None = None,
        rma: str | None = None,
        limit: int = 50,
        offset: int = 0,
        oldest_first: bool = False,
        received_by: datetime | None = None,
    ) -> list[Claim]: ...
    async def due_for_timers(self, now: datetime, limit: int = 100) -> list[str]: ...
    async def at_repair_centre(self, statuses: Iterable[str]) -> list[Claim]: ...


class PartsRepository(Protocol):
    async def stock_for(self, style: str, colour: str) -> list[PartStock]: ...
    async def reserve(self, claim_id: str, uses: Iterable[PartUse], at: datetime) -> None: ...


class BatchRepository(Protocol):
    async def replace_volumes(self, volumes: Sequence[Volume], at: datetime, by: str) -> None: ...
    async def volumes(self) -> dict[BatchKey, int]: ...
    async def claim_facts(self, region: str | None = None) -> list[ClaimFacts]: ...
    async def flags(self) -> dict[BatchKey, BatchFlag]: ...
    async def add_flag(self, verdict: BatchVerdict, at: datetime) -> None: ...


class PhotoRepository(Protocol):
    async def add(self, photo: EvidencePhoto) -> None: ...
    async def get(self, photo_id: str) -> EvidencePhoto | None: ...
    async def attach(self, photo_id: str, claim_id: str) -> None: ...
    async def unattached_before(
        self, before: datetime, limit: int = 100
    ) -> list[EvidencePhoto]: ...
    async def remove_unattached(self, photo_id: str) -> bool: ...


class Work(Protocol):
    @property
    def claims(self) -> ClaimRepository: ...
    @property
    def parts(self) -> PartsRepository: ...
    @property
    def batches(self) -> BatchRepository: ...
    @property
    def photos(self) -> PhotoRepository: ...

    def publish(self, event: WarrantyEvent) -> None: ...


class UnitOfWork(Protocol):
    # Errors by which the store refuses a second write of the same key (a twin request won).
    lost_race: tuple[type[Exception], ...]

    def __call__(self) -> AbstractAsyncContextManager[Work]: ...
    def read(self) -> AbstractAsyncContextManager[Work]: ...
    async def claim_now(self, claim_id: str) -> Claim | None:
        """The claim in one read, outside any unit of work; its `transitions` are not loaded
        (a claim's view shows none of them: the timeline reads them through `read()`)."""
        ...
