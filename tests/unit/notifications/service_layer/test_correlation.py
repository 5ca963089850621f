"""A message or webhook delivery carries the correlation id of the request
behind the event that caused it, into the worker's log lines and its own events, although the
worker runs later, in a background task with nothing bound."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import orjson
import pytest
import structlog

from services.notifications.adapters.tables import deliveries
from services.notifications.domain.ports import SendResult
from services.notifications.service_layer import (
    delivery_records,
    message_delivery,
    webhook_delivery,
)
from shared.contracts import notifications as c
from shared.logging import current_correlation_id
from shared.persistence.messaging_tables import outbox_table
from tests.support.notifications.cases import (
    SHORT,
    RecordingEmail,
    fan_out,
    plan_one_email,
    rows,
    webhook_worker,
    worker,
)


@pytest.fixture(autouse=True)
def plain_structlog(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """capture_logs cannot see what an earlier configure_logging() in this worker filtered out
    (its level) or cached (module loggers): start from structlog's defaults, with fresh worker
    loggers, and put the process's configuration back afterwards."""
    saved = structlog.get_config()
    structlog.reset_defaults()
    monkeypatch.setattr(message_delivery, "log", structlog.get_logger())
    monkeypatch.setattr(delivery_records, "log", structlog.get_logger())
    monkeypatch.setattr(webhook_delivery, "log", structlog.get_logger())
    yield
    structlog.configure(**saved)


async def in_background(work):
    """Run `work` the way the runtime runs a worker: its own task, no request bound."""
    structlog.contextvars.clear_contextvars()
    return await asyncio.create_task(work())


class CorrelationRecordingEmail(RecordingEmail):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str | None] = []

    async def send(self, message):
        self.seen.append(current_correlation_id())
        return await super().send(message)


async def test_message_events_and_logs_carry_the_causing_requests_id(uow):
    """A message's send, its event and its log lines carry the id of the request that caused
    it."""
    structlog.contextvars.bind_contextvars(correlation_id="req-claim-7")  # as the consumer binds
    await plan_one_email(uow)
    email = CorrelationRecordingEmail()
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as logs:
        await in_background(lambda: worker(uow, email).run_once())
    assert email.seen == ["req-claim-7"]
    sent = [orjson.loads(r.payload) for r in await rows(uow, outbox_table)
            if r.subject == c.MESSAGE_SENT]  # fmt: skip
    assert [e["correlationid"] for e in sent] == ["req-claim-7"]
    [line] = [entry for entry in logs if entry["event"] == "message.sent"]
    assert line["correlation_id"] == "req-claim-7"
    assert {r.correlation_id for r in await rows(uow, deliveries)} == {"req-claim-7"}


class RecordingSender:
    def __init__(self) -> None:
        self.seen: list[str | None] = []

    async def send(self, url: str, body: bytes, headers: dict[str, str]) -> SendResult:
        self.seen.append(current_correlation_id())
        return SendResult(200)


async def test_webhook_deliveries_log_the_causing_requests_id(setup):
    """A webhook delivery's attempt and log lines carry the id of the request that caused
    it."""
    uow, hooks, _endpoint, clock = setup
    structlog.contextvars.bind_contextvars(correlation_id="req-claim-8")
    await fan_out(uow, hooks)
    sender = RecordingSender()
    hook_worker = webhook_worker(uow, sender, SHORT, clock=clock)
    with structlog.testing.capture_logs(
        processors=[structlog.contextvars.merge_contextvars]
    ) as logs:
        await in_background(hook_worker.run_once)
    assert sender.seen == ["req-claim-8"]
    [line] = [entry for entry in logs if entry["event"] == "webhook.delivered"]
    assert line["correlation_id"] == "req-claim-8"
