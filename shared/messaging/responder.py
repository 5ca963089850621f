"""RPC responders on nats-py: one queue-group subscription per `RpcRoute`, answered by the glue.

Every service answers its `rpc.<service>.<op>` subjects here; the request's meaning (actor,
request key, error replies, correlation id) is `shared.messaging.glue._answer`'s, as before.
FastStream's subscriber used to sit in between: per request a task group, its logging and
acknowledgement middlewares, context-repository bookkeeping and fast_depends' injection,
which the profiles of `GET /v1/claims/{id}` showed costing more CPU than the handler and its
query together. A core NATS request needs none of it (no ack: the reply is the answer).

Up to `max_in_flight` requests of one subject run at once per process (as FastStream's
`max_workers` did); past that the subscription's own queue holds them (back-pressure). `stop`
unsubscribes first, so the queue group hands new requests to the other replicas, then waits,
bounded, for the requests in hand: their callers get an answer, not a timeout.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from shared.messaging.glue import RPC_CONCURRENCY, RpcRoute, answer
from shared.messaging.processed_requests import ProcessedRequests
from shared.messaging.requests import Replayed
from shared.rpc import REPLAYED_HEADER

log = structlog.get_logger()

_REPLAYED = {REPLAYED_HEADER: "true"}


class RpcResponders:
    """The RPC routes of one service (queue group = the service's name)."""

    def __init__(
        self, queue: str, requests: ProcessedRequests | None, max_in_flight: int = RPC_CONCURRENCY
    ) -> None:
        self.queue = queue
        self.requests = requests
        self.max_in_flight = max_in_flight
        self.routes: list[RpcRoute] = []
        self._subs: list[Subscription] = []
        self._nc: Client | None = None
        self._in_flight: set[asyncio.Task[None]] = set()

    def add(self, route: RpcRoute) -> None:
        self.routes.append(route)

    async def start(self, nc: Client) -> None:
        self._nc = nc
        for route in self.routes:
            sub = await nc.subscribe(route.subject, queue=self.queue, cb=self._callback(route))
            self._subs.append(sub)

    def _callback(self, route: RpcRoute) -> Callable[[Msg], Awaitable[None]]:
        slots = asyncio.Semaphore(self.max_in_flight)

        async def on_request(msg: Msg) -> None:
            await slots.acquire()  # nats-py calls this in order: waiting here is back-pressure
            task = asyncio.create_task(self._respond(route, msg, slots))
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)

        return on_request

    async def _respond(self, route: RpcRoute, msg: Msg, slots: asyncio.Semaphore) -> None:
        try:
            reply = await answer(route, self.requests, msg.headers or {}, msg.data)
            if msg.reply and self._nc is not None:
                # A repeat's reply says so: the gateway answers `Idempotent-Replayed: true`.
                headers = _REPLAYED if isinstance(reply, Replayed) else None
                await self._nc.publish(msg.reply, reply, headers=headers)
        except Exception as exc:  # connection lost: the caller times out and may retry
            log.warning("rpc.reply_failed", subject=route.subject, error=str(exc))
        finally:
            slots.release()

    async def stop(self, timeout: float) -> None:
        subs, self._subs = self._subs, []
        for sub in subs:
            try:
                await sub.unsubscribe()
            except Exception:  # already closed with its connection
                pass
        if self._in_flight:
            _, late = await asyncio.wait(set(self._in_flight), timeout=timeout)
            if late:
                log.warning("rpc.stop_timeout", unanswered=len(late))
