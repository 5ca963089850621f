"""An httpx transport that re-checks every connection against the SSRF policy.

Checking a URL and then letting the HTTP client resolve the name again leaves a gap: DNS can
answer differently the second time (rebinding). Here the check happens inside the connection
itself: the host is resolved once, every address is vetted, and the socket is opened to the
vetted address. TLS still verifies the certificate against the hostname (httpcore passes the
origin's host as the SNI/server name), so HTTPS keeps working.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx

from .ssrf import Resolver, TargetPolicy, check_target, system_resolver


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    def __init__(
        self,
        policy: TargetPolicy,
        resolver: Resolver = system_resolver,
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self._policy = policy
        self._resolver = resolver
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        bracketed = f"[{host}]" if ":" in host else host
        # Raises WebhookTargetRefused (not an httpcore error), which httpx lets through.
        addresses = await check_target(f"http://{bracketed}:{port}/", self._policy, self._resolver)
        last_error: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
        assert last_error is not None  # check_target never returns an empty list
        raise last_error

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are not webhook targets")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_transport(
    policy: TargetPolicy,
    resolver: Resolver = system_resolver,
    ssl_context: ssl.SSLContext | None = None,
) -> httpx.AsyncHTTPTransport:
    transport = httpx.AsyncHTTPTransport(retries=0)
    # httpx has no public hook for the network backend; swap the pool it built (pinned httpx).
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=ssl_context or httpx.create_ssl_context(),
        network_backend=GuardedNetworkBackend(policy, resolver),
        retries=0,
    )
    return transport
