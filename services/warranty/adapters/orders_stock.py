"""Replacement stock is owned by the orders service: ask it over RPC, never read its database."""

from __future__ import annotations

from collections.abc import Callable

from shared.contracts.orders import (
    ReleaseReplacementRequest,
    ReplacementStockRequest,
    ReserveReplacementRequest,
    Subjects,
)
from shared.rpc import RpcClient


class OrdersReplacementStock:
    def __init__(self, client: Callable[[], RpcClient], timeout: float = 5.0) -> None:
        # A factory: the NATS connection only exists once the service has started.
        self._client = client
        self.timeout = timeout

    async def available(self, region: str, style: str) -> int:
        reply = await self._client().call(
            Subjects.REPLACEMENT_STOCK,
            ReplacementStockRequest(region=region, style=style),  # type: ignore[arg-type]
            timeout=self.timeout,
        )
        return int(reply["available"])

    async def reserve(self, claim_id: str, region: str, style: str) -> str:
        reply = await self._client().call(
            Subjects.RESERVE_REPLACEMENT,
            ReserveReplacementRequest(claim_id=claim_id, region=region, style=style),  # type: ignore[arg-type]
            timeout=self.timeout,
        )
        return str(reply["reservation_id"])

    async def release(self, claim_id: str) -> None:
        await self._client().call(
            Subjects.RELEASE_REPLACEMENT,
            ReleaseReplacementRequest(claim_id=claim_id),
            timeout=self.timeout,
        )
