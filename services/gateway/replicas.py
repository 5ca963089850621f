"""How many gateway replicas share the traffic, so each one enforces its share of a rate limit.

Rate limits are per caller across the deployment. Counting every request in a shared store would
add a NATS round trip to every request; instead each replica announces itself in a KV bucket
whose entries expire (three missed heartbeats), counts the live announcements, and its limiter
enforces 1/N of the configured rate and burst. With a load balancer spreading requests (round
robin, least connections) the replicas together allow the configured limit; a client pinned to
one replica gets 1/N of it, the conservative side.
"""

from __future__ import annotations

import asyncio
from typing import Any

import structlog

from services.gateway.limits import TokenBucketLimiter

log = structlog.get_logger()

BUCKET = "gateway_replicas"
STREAM = f"KV_{BUCKET}"  # the stream behind the bucket


class ReplicaCensus:
    """Counts replicas from the stream's message count: the bucket keeps one entry per key
    (history 1), entries age out, and a clean stop purges its subject (no delete marker), so
    the count is the live replicas. Counting with `kv.keys()` would open a consumer each beat."""

    def __init__(
        self, js: Any, kv: Any, instance: str, limiter: TokenBucketLimiter, heartbeat: float
    ) -> None:
        self.js = js
        self.kv = kv
        self.key = instance.replace(":", "_").replace("/", "_")  # KV keys: [-_=.a-zA-Z0-9]
        self.limiter = limiter
        self.heartbeat = heartbeat

    async def beat(self) -> int:
        """Announce this replica, count the live ones, and set the limiter's share."""
        await self.kv.put(self.key, b"1")
        live = max(1, (await self.js.stream_info(STREAM)).state.messages)
        if live != self.limiter.share:
            log.info("gateway.replicas_counted", replicas=live)
        self.limiter.set_share(live)
        return live

    async def run(self) -> None:
        while True:
            try:
                await self.beat()
            except asyncio.CancelledError:
                raise
            except Exception:  # NATS briefly away: keep the last share, try again
                log.warning("gateway.replica_census_failed", exc_info=True)
            await asyncio.sleep(self.heartbeat)

    async def leave(self) -> None:
        """On a clean stop, so the others take up the share at their next beat."""
        await self.js.purge_stream(STREAM, subject=f"$KV.{BUCKET}.{self.key}")
