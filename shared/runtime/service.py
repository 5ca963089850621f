"""The process shell every service runs in.

`ServiceRuntime` owns the broker, the database, the outbox relay, the dead-letter safety net,
the RPC responders, the health endpoint and every background task, and stops them in order on
SIGTERM: RPC subscriptions (answering what is in hand), background tasks, then a last outbox
flush, then the broker (drain), then the database.
A service's `app.py` builds one, registers its entrypoints and hands it to `run()`.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

import structlog
from faststream import FastStream
from faststream.nats import NatsBroker
from faststream.security import SASLPlaintext
from nats.aio.client import Client
from nats.js import JetStreamContext

from shared.contracts.system import PingReply, ping_subject
from shared.logging import configure_logging, faststream_logger
from shared.messaging.consumer import ConsumerRuntime, PullConsumer
from shared.messaging.dlq import watch_max_deliveries
from shared.messaging.glue import EventRoute, RpcRoute
from shared.messaging.outbox import OutboxRow, UnitOfWork
from shared.messaging.processed_requests import ProcessedRequests
from shared.messaging.relay import OutboxRelay
from shared.messaging.responder import RpcResponders
from shared.messaging.streams import ensure_streams
from shared.nats_conn import credentials, probe, without_credentials
from shared.persistence.db import Database
from shared.persistence.migrations import upgrade
from shared.runtime.health import HealthServer, health_server
from shared.runtime.heap import freeze_startup_heap
from shared.runtime.settings import ServiceSettings
from shared.runtime.startup import StartupState, wait_for

log = structlog.get_logger()

# A background task that crashed is restarted after a short pause; a loop is contained per item,
# so a crash means something systemic: the service reports not ready for a while after each.
BACKGROUND_RESTART_DELAY = 1.0
BACKGROUND_CRASH_WINDOW = 60.0
RPC_STOP_TIMEOUT = 10.0  # s a stopping service waits for the requests it is answering

T = TypeVar("T")

# Alembic's `context` is process-global: runtimes sharing a process (tests, benches) must not
# upgrade at the same time. Separate processes are serialised by the database (see migrations).
_ALEMBIC = threading.Lock()


async def _migrate(database_url: str, script_location: Path) -> None:
    def locked() -> None:
        with _ALEMBIC:
            upgrade(database_url, script_location)

    await asyncio.to_thread(locked)


BackgroundFactory = Callable[["ServiceRuntime"], Awaitable[None]]


async def cancel_all(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel the tasks and wait until every one has ended.

    On Python 3.11 a cancellation can be lost: `asyncio.wait_for` (here and in libraries such
    as aiosmtplib) returns a result that completed in the same turn of the loop instead of
    raising `CancelledError`, and a loop around it goes on. A task still running a second after
    its cancel is cancelled again, so a stop never hangs on one."""
    while running := [t for t in tasks if not t.done()]:
        for task in running:
            task.cancel()
        await asyncio.wait(running, timeout=1.0)
    await asyncio.gather(*tasks, return_exceptions=True)  # retrieves what they raised


PURGE_INTERVAL_SECONDS = 3600.0


async def _purge_processed_requests(rt: ServiceRuntime) -> None:
    """Forget request keys long after any client may retry them (keeps the table small)."""
    while True:
        await asyncio.sleep(PURGE_INTERVAL_SECONDS)
        await rt.processed_requests.purge()


def _broker(name: str, settings: ServiceSettings) -> NatsBroker:
    login = credentials(settings.nats_url)
    return NatsBroker(
        without_credentials(settings.nats_url),
        # Also for the cluster's gossiped URLs, which carry no credentials (see credentials).
        security=SASLPlaintext(username=login[0], password=login[1]) if login else None,
        name=f"{name}:{settings.instance}",
        max_reconnect_attempts=-1,
        reconnect_time_wait=1,
        graceful_timeout=10.0,
        log_level=logging.DEBUG,  # per-message logs from FastStream stay quiet
        logger=faststream_logger(),  # the process's format (JSON in json mode)
    )


def _consumer_runtime(uow: UnitOfWork, settings: ServiceSettings) -> ConsumerRuntime:
    return ConsumerRuntime(
        uow,
        retry_base_delay=settings.retry_base_delay,
        gather_s=settings.consumer_gather_ms / 1000,
        gather_events=settings.consumer_gather_events,
    )


class ServiceRuntime:
    def __init__(
        self,
        name: str,
        settings: ServiceSettings,
        *,
        migrations: Path | None = None,
    ) -> None:
        self.name = name
        self.settings = settings
        self.migrations = migrations
        self.broker = _broker(name, settings)
        self.db = Database(settings.resolved_database_url(name), checkpoint_in_background=True)
        self.relay: OutboxRelay | None = None
        self.uow = UnitOfWork(self.db, on_commit=self._wake_relay)
        self.processed_requests = ProcessedRequests(self.db)
        self.responders = RpcResponders(name, self.processed_requests)
        self.consumer_runtime = _consumer_runtime(self.uow, settings)
        self.nc: Client | None = None
        self.js: JetStreamContext | None = None
        self._consumers: dict[str, str] = {}
        self._background: list[BackgroundFactory] = []
        self._tasks: list[asyncio.Task[None]] = []
        self._crashed_at: dict[str, float] = {}  # background task -> last crash (monotonic)
        self._pullers: list[PullConsumer] = []
        self._puller_tasks: list[asyncio.Task[None]] = []
        self._health: HealthServer | None = None
        self._dependencies: list[tuple[str, Callable[[], Awaitable[object]]]] = []
        self._ready_checks: dict[str, Callable[[], bool]] = {}
        self.startup = StartupState()
        self.rpc(RpcRoute(ping_subject(name), self._ping))
        self.app = FastStream(
            self.broker,
            logger=faststream_logger(),
            on_startup=[self._on_startup],
            after_startup=[self._after_startup],
            on_shutdown=[self._on_shutdown],
            after_shutdown=[self._after_shutdown],
        )

    # Registration (called by app.py before start) -------------------------------------

    def rpc(self, route: RpcRoute) -> None:
        self.responders.add(route)

    def consume(self, route: EventRoute) -> None:
        self._consumers[route.durable] = route.stream.name
        self._pullers.append(PullConsumer(route, self.consumer_runtime))

    def background(self, factory: BackgroundFactory) -> None:
        """A long-running task (timer, sweeper) owned and cancelled by the runtime."""
        self._background.append(factory)

    def dependency(self, name: str, attempt: Callable[[], Awaitable[object]]) -> None:
        """Something start-up waits for (retried, named on /readyz) after the database."""
        self._dependencies.append((name, attempt))

    def ready_check(self, name: str, check: Callable[[], bool]) -> None:
        """One more condition of /readyz (e.g. a model loaded in the background)."""
        self._ready_checks[name] = check

    # Lifecycle --------------------------------------------------------------------------

    async def _on_startup(self) -> None:
        configure_logging(self.name, self.settings.log_format, self.settings.log_level)
        self._health = health_server(self.settings, self.ready, self.startup.describe)
        if self._health is not None:  # first, so /readyz says what start-up is waiting for
            await self._health.start()
        if self.migrations is not None:
            migrations = self.migrations
            await self._wait_for("database", lambda: _migrate(self.db.url, migrations))
        for name, attempt in self._dependencies:
            await self._wait_for(name, attempt)
        self.nc = await self._wait_for("nats", self._connect)
        js = self.js = self.broker.config.connection_state.stream
        replicas = self.settings.stream_replicas
        await self._wait_for("streams", lambda: ensure_streams(js, replicas, attempts=1))
        self.consumer_runtime.js = self.js
        for puller in self._pullers:  # the streams exist now; consumers are created on them
            await self._wait_for(f"consumer {puller.route.durable}", puller.bind)
        self.relay = OutboxRelay(
            self.db, self.js, sweep_interval=self.settings.relay_sweep_interval
        )

    async def _connect(self) -> Client:
        await probe(self.settings.nats_url)  # fails with the reason while NATS is away
        return await self.broker.connect()

    async def _wait_for(self, dependency: str, attempt: Callable[[], Awaitable[T]]) -> T:
        deadline = self.settings.startup_timeout
        return await wait_for(dependency, attempt, state=self.startup, deadline_s=deadline)

    async def _after_startup(self) -> None:
        assert self.nc is not None and self.js is not None and self.relay is not None
        await watch_max_deliveries(self.nc, self.js, self._consumers)
        await self.responders.start(self.nc)
        for puller in self._pullers:
            self._puller_tasks.append(asyncio.create_task(puller.run(), name=puller.route.durable))
        self._tasks.append(asyncio.create_task(self.relay.run(), name=f"{self.name}-relay"))
        self._background.append(_purge_processed_requests)
        for factory in self._background:
            self._tasks.append(asyncio.create_task(self._guard(factory), name=factory.__name__))
        freeze_startup_heap()
        self.startup.ready = True
        log.info(
            "service.started", instance=self.settings.instance, database=self.db.url.split("://")[0]
        )

    async def _guard(self, factory: BackgroundFactory) -> None:
        """Restart a crashed background task; while it keeps crashing, /readyz says so."""
        while True:
            try:
                await factory(self)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background.crashed", task=factory.__name__)
                self._crashed_at[factory.__name__] = time.monotonic()
                await asyncio.sleep(BACKGROUND_RESTART_DELAY)

    def background_healthy(self) -> bool:
        """False while any background task crashed within the last BACKGROUND_CRASH_WINDOW s."""
        now = time.monotonic()
        return all(now - at > BACKGROUND_CRASH_WINDOW for at in self._crashed_at.values())

    async def _on_shutdown(self) -> None:
        log.info("service.stopping")
        # No new requests (the queue group sends them to other replicas); answer those in hand.
        await self.responders.stop(timeout=RPC_STOP_TIMEOUT)
        if self.relay is not None:
            self.relay.stop()
        await cancel_all(self._tasks)
        self._tasks.clear()
        # Finish and ack what the consumers already hold; anything else is redelivered.
        await asyncio.gather(*(puller.drain(timeout=5) for puller in self._pullers))
        await cancel_all(self._puller_tasks)
        self._puller_tasks.clear()
        if self.relay is not None:
            try:  # last flush; anything left is published at the next start
                await asyncio.wait_for(self.relay.publish_pending(), timeout=3)
            except Exception as exc:
                log.warning("outbox.final_flush_failed", error=str(exc))
        if self._health is not None:
            await self._health.stop()

    async def _after_shutdown(self) -> None:
        await self.db.dispose()
        log.info("service.stopped")

    def _wake_relay(self, rows: Sequence[OutboxRow]) -> None:
        if self.relay is not None:  # before it exists, its start-up read finds the rows
            self.relay.hand_over(rows)

    async def ready(self) -> dict[str, bool]:
        nats_ok = bool(self.nc is not None and self.nc.is_connected)
        return {
            "started": self.startup.ready,
            "nats": nats_ok,
            "database": await self.db.ping(),
            "background": self.background_healthy(),
        } | {name: check() for name, check in self._ready_checks.items()}

    async def _ping(self, _request: Any, _actor: Any) -> PingReply:
        return PingReply(
            service=self.name, instance=self.settings.instance, database=await self.db.ping()
        )

    def run(self) -> None:
        # Before FastStream's first line ("app starting"), so that line has the format too.
        configure_logging(self.name, self.settings.log_format, self.settings.log_level)
        try:
            import uvloop
        except ImportError:
            asyncio.run(self.app.run())
        else:
            uvloop.run(self.app.run())
