"""A client that leaves in the middle of its request body is a client abort, not a server error:
/metrics counts it as 499 under its route, and no 5xx is recorded or logged."""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

import httpx
from prometheus_client.parser import text_string_to_metric_families

from tests.support.gateway.live import LiveGateway


def request_counts(metrics_text: str) -> dict[tuple[str, str, str], float]:
    counts = {}
    for family in text_string_to_metric_families(metrics_text):
        if family.name == "gateway_http_requests":
            for sample in family.samples:
                if sample.name.endswith("_total"):
                    labels = sample.labels
                    key = (labels["method"], labels["route"], labels["status"])
                    counts[key] = sample.value
    return counts


async def leave_mid_body(base_url: str, path: str, headers: dict[str, str]) -> None:
    """Announce 100 bytes, send 10, hang up."""
    url = urlsplit(base_url)
    _reader, writer = await asyncio.open_connection(url.hostname, url.port)
    head = [f"POST {path} HTTP/1.1", f"Host: {url.netloc}", "Content-Type: application/json",
            "Content-Length: 100", *(f"{k}: {v}" for k, v in headers.items())]  # fmt: skip
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + b'{"name": "')
    await writer.drain()
    await asyncio.sleep(0.2)  # the gateway is now waiting for the rest of the body
    writer.close()
    await writer.wait_closed()


async def test_client_gone_mid_body_is_a_client_abort(gateway: LiveGateway, served: str) -> None:
    await leave_mid_body(served, "/v1/test/things", gateway.auth())
    async with httpx.AsyncClient(base_url=served, timeout=10) as client:
        deadline = time.monotonic() + 10
        while True:
            counts = request_counts((await client.get("/metrics")).text)
            if ("POST", "/v1/test/things", "499") in counts or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
    assert counts.get(("POST", "/v1/test/things", "499")) == 1
    assert not [key for key in counts if key[2].startswith("5")], counts
    assert gateway.counter.executions == 0  # the handler never ran
