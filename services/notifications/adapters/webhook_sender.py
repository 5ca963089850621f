"""Send one signed webhook attempt over HTTP and report what happened (never raises for I/O).

Redirects are not followed, the target is checked against the SSRF policy right before the
request and again on the socket itself (see guarded_transport), and the attempt has a timeout. Classifying the result is the domain's job.
"""

from __future__ import annotations

import time

import httpx

from ..domain.errors import WebhookTargetRefused
from ..domain.ports import SendResult
from .guarded_transport import guarded_transport
from .ssrf import Resolver, TargetPolicy, check_target, system_resolver

INVALID_URL = "invalid_url"  # a permanent failure: the domain dead-letters at once
MAX_RESPONSE_SNIPPET = 512  # bytes of the partner's answer kept for the delivery log


class WebhookSender:
    def __init__(
        self,
        *,
        policy: TargetPolicy,
        timeout_seconds: float = 10.0,
        client: httpx.AsyncClient | None = None,
        resolver: Resolver = system_resolver,
    ) -> None:
        self._policy = policy
        self._resolver = resolver
        self._client = client or httpx.AsyncClient(
            transport=guarded_transport(policy, resolver),
            timeout=httpx.Timeout(timeout_seconds),
            follow_redirects=False,
            trust_env=False,  # an env proxy would bypass the per-connection address check
        )
        self._owns_client = client is None

    async def send(self, url: str, body: bytes, headers: dict[str, str]) -> SendResult:
        started = time.monotonic()
        try:
            await check_target(url, self._policy, self._resolver)
        except WebhookTargetRefused as exc:
            return SendResult(None, error=f"target_refused:{exc.details.get('reason')}")
        try:
            response = await self._client.post(
                url, content=body, headers=headers, follow_redirects=False
            )
        except WebhookTargetRefused as exc:  # DNS changed between the check and the connect
            return SendResult(None, error=f"target_refused:{exc.details.get('reason')}")
        except (httpx.InvalidURL, httpx.UnsupportedProtocol, ValueError):
            # Stored before registration refused such URLs: sending again cannot help.
            return SendResult(None, error=INVALID_URL)
        except httpx.TimeoutException:
            return SendResult(None, error="timeout", duration_ms=_ms(started))
        except httpx.HTTPError as exc:
            return SendResult(
                None, error=f"transport:{type(exc).__name__}", duration_ms=_ms(started)
            )
        return SendResult(
            response.status_code,
            headers=dict(response.headers),
            duration_ms=_ms(started),
            response_snippet=response.content[:MAX_RESPONSE_SNIPPET].decode("utf-8", "replace"),
        )

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
