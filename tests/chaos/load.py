"""Steady load through the gateway, as real clients behave: every POST, PUT and DELETE carries
an Idempotency-Key, and a 5xx, a 429, a 409 "still in progress" or a broken connection is
retried with the SAME key and the same body (with backoff) until it gets an answer or its
deadline.

Every request is logged with all its attempts and its final outcome; the checker later proves
that each 2xx object exists exactly once. Each intent is unique and recognisable in the system's
own state: a claim intent uses a label code nobody else uses, an order intent its own quote.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.labels import story1_label
from tests.support.orders.restock import keep_stocked

RETRY_STATUSES = {429, 500, 502, 503, 504}
REPAIR_STEPS = ("receipt", "inspection", "repair", "shipment", "delivery")


@dataclass
class Attempt:
    at: float
    status: int | None
    error: str | None = None
    code: str | None = None
    replayed: bool = False


@dataclass
class RequestRecord:
    customer: str
    op: str  # contact | quote | order | cancel | return | claim | step:<name>
    method: str
    path: str
    key: str | None
    body: dict[str, Any] | None
    intent: str  # what the client meant to create or change (claim:<label>, order:<quote>...)
    attempts: list[Attempt] = field(default_factory=list)
    status: int | None = None
    response: dict[str, Any] | None = None
    started: float = 0.0
    ended: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def object_id(self) -> str | None:
        if not self.ok or self.response is None:
            return None
        for name in ("return_id", "order_id", "id", "quote_id"):
            if name in self.response:
                return str(self.response[name])
        return None

    def summary(self) -> dict[str, Any]:
        data = asdict(self)
        data["response"] = {k: self.response.get(k) for k in ("id", "return_id", "order_id",
                            "quote_id", "status", "code")} if self.response else None  # fmt: skip
        return data


@dataclass
class LoadConfig:
    customers: int = 5
    think_min: float = 1.5
    think_max: float = 3.0
    order_share: float = 0.55
    drive_claim_share: float = 0.4  # claims the repair centre then takes to `closed`
    cancel_share: float = 0.1
    cart_share: float = 0.3  # orders of a two-line cart (multi-line saga) instead of one style
    # Paid orders whose customer, once the order is delivered, sends every line back for a
    # refund (the return worker refunds when the carrier scans the parcel in).
    return_share: float = 0.3
    # Every n-th return (the first one included) is an exchange for a style of the same region's
    # offers: the new item reserved at once, the difference charged or refunded, the new parcel
    # booked once the returned one is in.
    exchange_every: int = 3
    delivery_wait: float = 30.0  # how long a returning customer waits for `delivered`
    request_deadline: float = 120.0  # far beyond any retry's worst case (docs/operations.md)
    seed: int = 7


class LoadGenerator:
    def __init__(self, api: str, token: Any, config: LoadConfig, log_path: Path) -> None:
        self.api = api
        self.token = token
        self.config = config
        self.log_path = log_path
        self.records: list[RequestRecord] = []
        self.run = uuid.uuid4().hex[:6]
        self.rng = random.Random(config.seed)
        self._serials = itertools.count(random.Random().randrange(0, 90000))
        self._stop = asyncio.Event()
        self.offers: dict[str, list[str]] = {}
        self.stocked: set[tuple[str, str]] = set()  # (warehouse, style) the orders draw on
        self.restocks = 0
        # What a fault injector reads to hit a live request (faults.kill_mid_request).
        self.in_flight = 0
        self.busy = asyncio.Event()  # set while a request waits for its answer
        self.failed_attempts = 0  # attempts that failed and were retried
        self._returns = itertools.count()
        self.customers = [f"chaos-{self.run}-{i:02d}" for i in range(config.customers)]

    # Requests --------------------------------------------------------------------------------
    async def call(
        self,
        client: httpx.AsyncClient,
        customer: str,
        op: str,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        *,
        intent: str = "",
        idempotent: bool = True,
    ) -> RequestRecord:
        key = uuid.uuid4().hex if method in ("POST", "PUT", "DELETE") and idempotent else None
        record = RequestRecord(customer, op, method, path, key, body, intent, started=time.time())
        self.records.append(record)
        headers = {"Idempotency-Key": key} if key else {}
        deadline = time.monotonic() + self.config.request_deadline
        delay = 0.25
        while True:
            attempt = Attempt(time.time(), None)
            record.attempts.append(attempt)
            retry = False
            self.in_flight += 1
            self.busy.set()
            try:
                r = await client.request(method, path, json=body, headers=headers)
                attempt.status = r.status_code
                attempt.replayed = r.headers.get("idempotent-replayed") == "true"
                payload = _json(r)
                attempt.code = payload.get("code") if isinstance(payload, dict) else None
                retry = r.status_code in RETRY_STATUSES or (
                    r.status_code == 409 and attempt.code == "idempotency_request_in_progress"
                )
                if not retry:
                    record.status = r.status_code
                    record.response = payload if isinstance(payload, dict) else {"items": payload}
            except httpx.HTTPError as exc:  # connection refused/reset, timeouts: ambiguous
                attempt.error = type(exc).__name__
                retry = True
            finally:
                self.in_flight -= 1
                if not self.in_flight:
                    self.busy.clear()
            if not retry:
                break
            if time.monotonic() > deadline:
                record.status = attempt.status
                break
            self.failed_attempts += 1
            await asyncio.sleep(delay * (0.5 + self.rng.random()))
            delay = min(delay * 2, 4.0)
        record.ended = time.time()
        return record

    # Customers ---------------------------------------------------------------------------------
    def client(self, subject: str, role: str = "customer") -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=self.api,
            headers={"Authorization": f"Bearer {self.token(subject, role)}"},
            timeout=httpx.Timeout(15.0, connect=3.0),
        )

    async def setup(self) -> None:
        """Each customer registers contact details; the catalogue's cross-region offers."""
        async with self.client("chaos-browser") as c:
            for region in ("UK", "EU"):
                rec = await self.call(c, "chaos-browser", "catalog", "GET",
                                      f"/v1/catalog?region={region}")  # fmt: skip
                assert rec.ok, rec
                offers = rec.response["offers"] if rec.response else []
                self.offers[region] = [o["style"] for o in offers if o["kind"] == "cross_region"
                                       and o.get("available", 0) > 0]  # fmt: skip
                self.stocked |= {(o["warehouse"], o["style"]) for o in offers
                                 if o["style"] in self.offers[region] and o.get("warehouse")}  # fmt: skip
                assert self.offers[region], f"no cross-region offer in {region}"
        for customer in self.customers:
            async with self.client(customer) as c:
                body = {"name": f"Chaos {customer[-2:]}", "email": f"{customer}@example.com",
                        "locale": "en-GB"}  # fmt: skip
                rec = await self.call(c, customer, "contact", "PUT", "/v1/me/contact", body,
                                      intent=f"contact:{customer}")  # fmt: skip
                assert rec.ok, rec

    def stop(self) -> None:
        self._stop.set()

    async def keep_stocked(self, nats_url: str, every: float = 5.0, units: int = 40) -> None:
        """The operator's restocking (tests/support/orders/restock.py) for the whole run."""
        self.restocks = await keep_stocked(
            nats_url, lambda: self.stocked, self._stop, every=every, units=units,
            operator="chaos-operator",
        )  # fmt: skip

    async def run_until_stopped(self) -> None:
        await asyncio.gather(*(self._customer(c) for c in self.customers))
        self.write_log()

    async def _customer(self, customer: str) -> None:
        rng = random.Random(f"{self.config.seed}-{customer}")
        async with self.client(customer) as me, self.client("agent-chaos", "agent") as centre:
            while not self._stop.is_set():
                if rng.random() < self.config.order_share:
                    await self._order(me, customer, rng)
                else:
                    await self._claim(me, centre, customer, rng)
                try:
                    pause = rng.uniform(self.config.think_min, self.config.think_max)
                    await asyncio.wait_for(self._stop.wait(), pause)
                except TimeoutError:
                    pass

    async def _order(self, me: httpx.AsyncClient, customer: str, rng: random.Random) -> None:
        region = rng.choice(("UK", "EU"))
        body: dict[str, Any] = {"style": rng.choice(self.offers[region]), "region": region}
        if len(self.offers[region]) > 1 and rng.random() < self.config.cart_share:
            styles = rng.sample(self.offers[region], 2)
            body = {"region": region, "lines": [{"style": x, "quantity": 1} for x in styles]}
        quote = await self.call(me, customer, "quote", "POST", "/v1/quotes", body,
                                intent=f"quote:{uuid.uuid4().hex}")  # fmt: skip
        if not quote.ok or quote.response is None:
            return
        quote_id = quote.response["quote_id"]
        token = rng.choices(("tok_ok", "tok_declined", "tok_timeout"), (80, 12, 8))[0]
        order = await self.call(me, customer, "order", "POST", "/v1/orders",
                                {"quote_id": quote_id, "payment_token": token},
                                intent=f"order:{quote_id}")  # fmt: skip
        if not order.ok or not order.response:
            return
        order_id = order.response["order_id"]
        if rng.random() < self.config.cancel_share:
            await self.call(me, customer, "cancel", "POST", f"/v1/orders/{order_id}/cancel",
                            intent=f"cancel:{order_id}")  # fmt: skip
        elif token == "tok_ok" and rng.random() < self.config.return_share:
            styles = [x["style"] for x in body["lines"]] if "lines" in body else [body["style"]]
            await self._return(me, customer, order_id, styles, region, rng)

    async def _return(
        self,
        me: httpx.AsyncClient,
        customer: str,
        order_id: str,
        styles: list[str],
        region: str,
        rng: random.Random,
    ) -> None:
        """Wait for the order to be delivered (reads are not logged), then return every line,
        for a refund or in exchange for another style."""
        deadline = time.monotonic() + self.config.delivery_wait
        status = None
        while status != "delivered" and time.monotonic() < deadline and not self._stop.is_set():
            try:
                r = await me.get(f"/v1/orders/{order_id}")
                status = r.json().get("status") if r.status_code == 200 else None
            except (httpx.HTTPError, ValueError):
                status = None
            if status in ("failed", "cancelled"):
                return
            if status != "delivered":
                await asyncio.sleep(1.0)
        if status != "delivered":
            return
        body: dict[str, Any] = {"resolution": "refund",
                "lines": [{"style": x, "quantity": 1, "reason": "changed_mind"} for x in styles]}  # fmt: skip
        if next(self._returns) % self.config.exchange_every == 0:
            body |= {"resolution": "exchange", "exchange_style": rng.choice(self.offers[region]),
                     "if_not_returned": rng.choice(("charge", "cancel"))}  # fmt: skip
        await self.call(me, customer, "return", "POST", f"/v1/orders/{order_id}/returns", body,
                        intent=f"return:{order_id}")  # fmt: skip

    async def _claim(
        self, me: httpx.AsyncClient, centre: httpx.AsyncClient, customer: str, rng: random.Random
    ) -> None:
        code = story1_label(next(self._serials) % 100000)
        body = {"region": "UK", "label_code": code, "components": ["stitching"],
                "description": f"chaos run {self.run}: stitching came undone"}  # fmt: skip
        claim = await self.call(me, customer, "claim", "POST", "/v1/claims", body,
                                intent=f"claim:{code}")  # fmt: skip
        if not claim.ok or claim.response is None or rng.random() >= self.config.drive_claim_share:
            return
        claim_id = claim.response["id"]
        for step in REPAIR_STEPS:
            step_body = ({"carrier": "Royal Mail", "tracking_number": f"RM{rng.randrange(10**8):08d}GB"}
                         if step == "shipment" else None)  # fmt: skip
            rec = await self.call(centre, customer, f"step:{step}", "POST",
                                  f"/v1/claims/{claim_id}/{step}", step_body,
                                  intent=f"step:{claim_id}:{step}")  # fmt: skip
            if not rec.ok:
                return

    def write_log(self) -> None:
        with self.log_path.open("w") as f:
            for record in self.records:
                f.write(json.dumps(record.summary(), default=str) + "\n")


def _json(r: httpx.Response) -> Any:
    try:
        return r.json()
    except ValueError:
        return {}
