"""Customers placing claims and orders through the gateways, as real clients do: a share of
the orders are two-line carts (one authorization, a parcel per warehouse), and a share of the
delivered orders are sent back, for a refund or in exchange for another style.

Every POST carries an Idempotency-Key; a 5xx, a 429, a 409 `idempotency_request_in_progress` or
a broken connection is retried with the SAME key and body, each attempt on the next gateway
(so a retry also proves that the gateways share the idempotency store). What the client was
finally told is recorded: only a 2xx counts as acknowledged.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

from tests.e2e.conftest import JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET
from tests.support.labels import story1_label
from tests.support.orders.restock import keep_stocked

RETRY_STATUSES = {429, 500, 502, 503, 504}
REQUEST_DEADLINE_S = 90.0  # > the gateway's idempotency lease (60 s) after a lost completion
REPAIR_STEPS = ("receipt", "inspection", "repair", "shipment", "delivery")
CART_SHARE = 0.3  # orders of a two-line cart instead of one style
RETURN_SHARE = 0.3  # delivered orders whose customer sends every line back
EXCHANGE_EVERY = 3  # every third return (the first included) is an exchange for another style
DELIVERY_WAIT_S = 30.0  # how long a returning customer waits for `delivered`


def token(subject: str, role: str = "customer") -> str:
    now = int(time.time())
    claims = {"sub": subject, "role": role, "iss": JWT_ISSUER, "aud": JWT_AUDIENCE,
              "iat": now, "exp": now + 3600}  # fmt: skip
    return jwt.encode(claims, JWT_SECRET, algorithm="HS256", headers={"kid": "local"})


@dataclass
class Call:
    method: str
    path: str
    key: str | None
    status: int | None = None
    body: Any = None
    attempts: int = 0
    replayed: bool = False
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    started: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass
class Acked:
    """An order or claim the client was told exists (2xx), with its owner."""

    kind: str  # order | claim | return
    id: str
    customer: str
    intent: str  # the quote id of an order, the label code of a claim, the order of a return
    steps: list[str] = field(default_factory=list)  # 2xx repair-centre steps of a claim
    lines: int = 1  # styles in an order's cart


class Client:
    def __init__(self, api_urls: list[str], subject: str, role: str = "customer") -> None:
        self.api_urls = api_urls
        self.http = httpx.AsyncClient(
            headers={"Authorization": f"Bearer {token(subject, role)}"},
            timeout=httpx.Timeout(15.0, connect=3.0),
        )
        self.calls: list[Call] = []
        self.server_errors: list[tuple[float, str]] = []  # (monotonic time, "503 code") per 5xx
        self._next = random.randrange(len(api_urls))

    async def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        deadline_s: float = REQUEST_DEADLINE_S,
        **params: Any,
    ) -> Call:
        key = uuid.uuid4().hex if method == "POST" else None
        call = Call(method, path, key)
        self.calls.append(call)
        headers = {"Idempotency-Key": key} if key else {}
        started = time.monotonic()
        deadline, delay = started + deadline_s, 0.25
        while True:
            call.attempts += 1
            url = self.api_urls[self._next % len(self.api_urls)] + path
            self._next += 1
            try:
                r = await self.http.request(method, url, json=body, headers=headers, params=params)
                payload = r.json() if r.content else None
                code = payload.get("code") if isinstance(payload, dict) else None
                retry = r.status_code in RETRY_STATUSES or (
                    r.status_code == 409 and code == "idempotency_request_in_progress"
                )
                call.status, call.body = r.status_code, payload
                call.replayed = r.headers.get("idempotent-replayed") == "true"
                if retry:
                    call.errors.append(f"{r.status_code} {code}")
                if r.status_code >= 500:
                    self.server_errors.append((time.monotonic(), f"{r.status_code} {code}"))
            except (httpx.HTTPError, ValueError) as exc:  # refused, reset, timed out: ambiguous
                call.status, retry = None, True
                call.errors.append(type(exc).__name__)
            call.seconds = time.monotonic() - started
            if not retry or time.monotonic() > deadline:
                return call
            await asyncio.sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, 3.0)

    async def close(self) -> None:
        await self.http.aclose()


class Load:
    def __init__(self, api_urls: list[str], customers: int, seed: int = 11) -> None:
        run = uuid.uuid4().hex[:6]
        self.api_urls = api_urls
        self.customers = [f"scale-{run}-{i:02d}" for i in range(customers)]
        self.clients: list[Client] = []
        self.acked: list[Acked] = []
        self.offers: list[tuple[str, str]] = []  # (region, style)
        self.returning: list[asyncio.Task[None]] = []  # customers waiting to send a parcel back
        self.stocked: set[tuple[str, str]] = set()  # (warehouse, style) the orders draw on
        self.restocks = 0
        self._returns = 0
        self.seed = seed
        self._serials = iter(range(random.randrange(0, 80000), 100000))
        self._stop = asyncio.Event()

    def client(self, subject: str, role: str = "customer") -> Client:
        client = Client(self.api_urls, subject, role)
        self.clients.append(client)
        return client

    async def setup(self) -> None:
        """Catalogue offers to order from; every customer registers an email address."""
        browser = self.client("scale-browser")
        for region in ("UK", "EU"):
            call = await browser.request("GET", "/v1/catalog", region=region)
            assert call.ok, (call.status, call.body)
            offers = [o for o in call.body["offers"]
                      if o["kind"] != "unavailable" and o.get("available", 0) >= 10]  # fmt: skip
            self.offers += [(region, o["style"]) for o in offers]
            self.stocked |= {(o["warehouse"], o["style"]) for o in offers if o.get("warehouse")}
        assert self.offers, "no offer with stock in UK or EU"
        for customer in self.customers:
            body = {"name": f"Scale {customer[-2:]}", "email": f"{customer}@example.com",
                    "locale": "en-GB"}  # fmt: skip
            call = await self.client(customer).request("PUT", "/v1/me/contact", body)
            assert call.ok, (call.status, call.body)

    def stop(self) -> None:
        self._stop.set()

    async def keep_stocked(self, nats_url: str) -> None:
        """Restock what the orders draw on for the whole run (issue 18: never out of stock)."""
        self.restocks = await keep_stocked(
            nats_url, lambda: self.stocked, self._stop, operator="scale-operator"
        )

    async def run(self) -> None:
        await asyncio.gather(*(self._customer(i, c) for i, c in enumerate(self.customers)))
        await asyncio.gather(*self.returning)

    async def _customer(self, index: int, customer: str) -> None:
        rng = random.Random(f"{self.seed}-{index}")
        me, centre = self.client(customer), self.client(f"scale-centre-{index:02d}", "agent")
        while not self._stop.is_set():
            if rng.random() < 0.5:
                await self._order(me, customer, rng)
            else:
                await self._claim(me, centre, customer, rng)
            try:
                await asyncio.wait_for(self._stop.wait(), rng.uniform(0.3, 1.0))
            except TimeoutError:
                pass

    async def _order(self, me: Client, customer: str, rng: random.Random) -> None:
        region, style = rng.choice(self.offers)
        styles = [style]
        same_region = sorted({x for r, x in self.offers if r == region} - {style})
        if same_region and rng.random() < CART_SHARE:
            styles.append(rng.choice(same_region))
        body: dict[str, Any] = {"style": style, "region": region}
        if len(styles) > 1:
            body = {"region": region, "lines": [{"style": x, "quantity": 1} for x in styles]}
        quote = await me.request("POST", "/v1/quotes", body)
        if not quote.ok:
            return
        quote_id = quote.body["quote_id"]
        order = await me.request("POST", "/v1/orders", {"quote_id": quote_id,
                                                        "payment_token": "tok_ok"})  # fmt: skip
        if not order.ok:
            return
        order_id = order.body["order_id"]
        self.acked.append(Acked("order", order_id, customer, quote_id, lines=len(styles)))
        if rng.random() < RETURN_SHARE:
            exchange = {"resolution": "exchange", "if_not_returned": rng.choice(("charge", "cancel")),
                        "exchange_style": rng.choice([style, *same_region])}  # fmt: skip
            task = self._return(me, customer, order_id, styles, exchange)
            self.returning.append(asyncio.create_task(task))

    async def _return(
        self,
        me: Client,
        customer: str,
        order_id: str,
        styles: list[str],
        exchange: dict[str, str],
    ) -> None:
        """Once the order is delivered (the customer looks now and then), send every line back,
        every third return (the first included) as `exchange`; the customer goes on shopping
        meanwhile."""
        deadline = time.monotonic() + DELIVERY_WAIT_S
        status = None
        while status != "delivered" and time.monotonic() < deadline and not self._stop.is_set():
            await asyncio.sleep(1.0)
            got = await me.request("GET", f"/v1/orders/{order_id}", deadline_s=10.0)
            status = (got.body or {}).get("status") if got.ok else None
            if status in ("failed", "cancelled"):
                return
        if status != "delivered":
            return
        body: dict[str, Any] = {"resolution": "refund",
                "lines": [{"style": x, "quantity": 1, "reason": "changed_mind"} for x in styles]}  # fmt: skip
        self._returns += 1
        if self._returns % EXCHANGE_EVERY == 1:
            body |= exchange
        call = await me.request("POST", f"/v1/orders/{order_id}/returns", body)
        if call.ok:
            self.acked.append(Acked("return", call.body["return_id"], customer, order_id))

    async def _claim(self, me: Client, centre: Client, customer: str, rng: random.Random) -> None:
        code = story1_label(next(self._serials))
        body = {"region": "UK", "label_code": code, "components": ["stitching"],
                "description": "The stitching on the strap came undone."}  # fmt: skip
        call = await me.request("POST", "/v1/claims", body)
        if not call.ok:
            return
        claim = Acked("claim", call.body["id"], customer, code)
        self.acked.append(claim)
        if rng.random() >= 0.4:  # the others stay awaiting the item
            return
        for step in REPAIR_STEPS:
            step_body = ({"carrier": "Royal Mail", "tracking_number": f"RM{rng.randrange(10**8):08d}GB"}
                         if step == "shipment" else None)  # fmt: skip
            rec = await centre.request("POST", f"/v1/claims/{claim.id}/{step}", step_body)
            if not rec.ok:
                return
            claim.steps.append(step)

    async def close(self) -> None:
        await asyncio.gather(*(c.close() for c in self.clients))

    def summary(self) -> Counter[str]:
        c: Counter[str] = Counter()
        for client in self.clients:
            for call in client.calls:
                c["requests"] += 1
                c["attempts"] += call.attempts
                c["retried"] += call.attempts > 1
                c["replayed"] += call.replayed
                c["failed"] += not call.ok
        slowest = max((call.seconds for cl in self.clients for call in cl.calls), default=0)
        c["slowest_request_ms"] = int(slowest * 1000)
        c["orders_acked"] = sum(a.kind == "order" for a in self.acked)
        c["claims_acked"] = sum(a.kind == "claim" for a in self.acked)
        c["carts_acked"] = sum(a.kind == "order" and a.lines > 1 for a in self.acked)
        c["returns_acked"] = sum(a.kind == "return" for a in self.acked)
        c["claims_closed_by_centre"] = sum(len(a.steps) == len(REPAIR_STEPS) for a in self.acked)
        return c

    def server_errors_between(self, start: float, end: float) -> list[str]:
        """5xx answers a client saw in [start, end] (monotonic), each attempt counted."""
        return [f"{what} at +{at - start:.1f}s" for client in self.clients
                for at, what in client.server_errors if start <= at <= end]  # fmt: skip

    def slowest_between(self, start: float, end: float) -> float:
        """The longest a request that started in [start, end] took until its final answer."""
        return max((call.seconds for client in self.clients for call in client.calls
                    if start <= call.started <= end), default=0.0)  # fmt: skip

    def retried(self) -> list[str]:
        return [f"{call.method} {call.path} -> {call.status} in {call.seconds:.1f}s after "
                f"{dict(Counter(call.errors))} (replayed={call.replayed})"
                for client in self.clients for call in client.calls if call.attempts > 1]  # fmt: skip

    def failures(self) -> list[str]:
        return [f"{call.method} {call.path} -> {call.status} after {call.attempts} attempts "
                f"{call.errors[-3:]} {call.body!r:.200}"
                for client in self.clients for call in client.calls if not call.ok]  # fmt: skip
