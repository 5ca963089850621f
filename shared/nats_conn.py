"""Connecting to NATS the same way everywhere (reconnects forever, named connections)."""

from __future__ import annotations

from urllib.parse import urlparse

import nats
import structlog
from nats.aio.client import Client

log = structlog.get_logger()


def server_list(urls: str) -> list[str]:
    """`nats://a:4222,nats://b:4222` -> list; blanks dropped."""
    return [u.strip() for u in urls.split(",") if u.strip()]


def credentials(urls: str) -> tuple[str, str] | None:
    """User and password of the first server URL that carries them.

    Give them to the client as options, not only inside the URLs: a cluster gossips its members'
    client URLs without credentials, and nats-py adds those to its pool. Reconnecting through
    one with no user option sends no credentials and gets 'Authorization Violation', which
    FastStream's error callback re-raises, ending nats-py's reconnect task: the process stayed
    up but disconnected for good after its NATS node died.
    """
    for url in server_list(urls):
        parsed = urlparse(url if "://" in url else f"nats://{url}")
        if parsed.username and parsed.password:
            return parsed.username, parsed.password
    return None


def without_credentials(urls: str) -> list[str]:
    """The server URLs with the user info of `credentials(urls)` removed (FastStream refuses
    URL credentials next to its `security` option)."""
    login = credentials(urls)
    servers = []
    for url in server_list(urls):
        parsed = urlparse(url if "://" in url else f"nats://{url}")
        if login and (parsed.username, parsed.password) == login:
            parsed = parsed._replace(netloc=parsed.netloc.rsplit("@", 1)[1])
        servers.append(parsed.geturl())
    return servers


async def connect(
    urls: str, name: str, *, connect_timeout: float = 2.0, give_up_after: int | None = None
) -> Client:
    """Services keep trying for ever (`give_up_after=None`); command-line tools pass a small
    number of attempts so an unreachable server is an error, not a hang."""

    async def on_disconnect() -> None:
        log.info("nats.disconnected", connection=name)

    async def on_reconnect() -> None:
        log.info("nats.reconnected", connection=name)

    async def on_error(exc: Exception) -> None:
        log.warning("nats.error", connection=name, error=str(exc))

    user, password = credentials(urls) or (None, None)
    return await nats.connect(
        servers=server_list(urls),
        user=user,
        password=password,
        name=name,
        connect_timeout=connect_timeout,
        max_reconnect_attempts=-1 if give_up_after is None else give_up_after,
        reconnect_time_wait=0.5,
        disconnected_cb=on_disconnect,
        reconnected_cb=on_reconnect,
        error_cb=on_error,
    )


async def probe(urls: str, *, timeout: float = 2.0) -> None:
    """Connect once and close: raises with the reason while no server answers (start-up waits
    log it; the long-lived connections retry silently inside nats-py)."""
    errors: list[Exception] = []

    async def remember(exc: Exception) -> None:
        errors.append(exc)

    user, password = credentials(urls) or (None, None)
    try:
        nc = await nats.connect(servers=server_list(urls), user=user, password=password,
                                connect_timeout=timeout, allow_reconnect=False,
                                max_reconnect_attempts=1, reconnect_time_wait=0.1,
                                error_cb=remember)  # fmt: skip
    except Exception as exc:
        raise (errors[-1] if errors else exc) from exc
    await nc.close()
