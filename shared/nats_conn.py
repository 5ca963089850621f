"""Connecting to NATS the same way everywhere (reconnects forever, named connections)."""

from __future__ import annotations

import nats
import structlog
from nats.aio.client import Client

log = structlog.get_logger()


def server_list(urls: str) -> list[str]:
    """`nats://a:4222,nats://b:4222` -> list; blanks dropped."""
    return [u.strip() for u in urls.split(",") if u.strip()]


async def connect(urls: str, name: str, *, connect_timeout: float = 2.0) -> Client:
    async def on_disconnect() -> None:
        log.info("nats.disconnected", connection=name)

    async def on_reconnect() -> None:
        log.info("nats.reconnected", connection=name)

    async def on_error(exc: Exception) -> None:
        log.warning("nats.error", connection=name, error=str(exc))

    return await nats.connect(
        servers=server_list(urls),
        name=name,
        connect_timeout=connect_timeout,
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        disconnected_cb=on_disconnect,
        reconnected_cb=on_reconnect,
        error_cb=on_error,
    )
