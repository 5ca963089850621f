"""Webhook delivery use cases on SQLite with a scripted sender: retry, dead letter, replay, 410."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from services.notifications.adapters.secret_box import SEALED_PREFIX, SecretBox
from services.notifications.adapters.tables import webhook_deliveries, webhook_secrets
from services.notifications.adapters.unit_of_work import sql_unit_of_work
from services.notifications.domain.webhooks import RetrySchedule
from services.notifications.service_layer.webhooks import reseal_secrets
from shared.actor import Actor
from shared.contracts import notifications as c
from shared.persistence.messaging_tables import outbox_table
from tests.support.notifications.cases import (
    BOX_KEYS,
    PARTNER,
    SHORT,
    T0,
    ScriptedSender,
    fan_out,
    verified_at_its_timestamp,
    webhook_worker,
)


async def status_of(uow) -> list[tuple[str, int]]:
    async with uow.db.read() as session:
        rows = (await session.execute(sa.select(webhook_deliveries))).all()
    return [(r.status, r.attempts) for r in rows]


async def test_retries_until_the_schedule_is_spent_then_dead_letters_and_replays(setup):
    """Failed deliveries are retried on schedule, dead-lettered when it is spent, and
    replayed with the same webhook-id."""
    uow, hooks, endpoint, clock = setup
    sender = ScriptedSender([500, None, 503])
    worker = webhook_worker(uow, sender, SHORT, clock=clock)
    await fan_out(uow, hooks)
    assert await worker.run_once() == 1
    assert await worker.run_once() == 0  # waiting for the backoff
    clock.advance(1)
    assert await worker.run_once() == 1
    clock.advance(1)
    assert await worker.run_once() == 1
    assert await status_of(uow) == [("dead_letter", 3)]
    dead = await hooks.deliveries(
        c.ListWebhookDeliveriesRequest(endpoint_id=endpoint.id, status="dead_letter"), PARTNER
    )
    [letter] = dead.deliveries
    assert [a.error for a in letter.history] == ["http_500", "timeout", "http_503"]
    assert {h["webhook-id"] for _u, _b, h in sender.requests} == {"evt-1"}

    replayed = await hooks.replay(
        c.ReplayWebhookRequest(endpoint_id=endpoint.id, delivery_id=letter.id), PARTNER
    )
    assert replayed.replayed == [letter.id]
    assert await worker.run_once() == 1
    assert await status_of(uow) == [("delivered", 1)]
    _url, body, headers = sender.requests[-1]
    assert headers["webhook-id"] == "evt-1"
    assert verified_at_its_timestamp(endpoint.secret, body, headers)["data"] == {
        "claim_id": "CLM-1"
    }


async def test_replay_by_time_range(setup):
    """A replay by time range queues again the finished deliveries of that range only."""
    uow, hooks, endpoint, clock = setup
    worker = webhook_worker(uow, ScriptedSender([]), SHORT, clock=clock)
    await fan_out(uow, hooks, "evt-a")
    await fan_out(uow, hooks, "evt-b")
    await worker.run_once()
    result = await hooks.replay(
        c.ReplayWebhookRequest(endpoint_id=endpoint.id, since=T0 - timedelta(minutes=1)), PARTNER
    )
    assert len(result.replayed) == 2
    result = await hooks.replay(
        c.ReplayWebhookRequest(endpoint_id=endpoint.id, since=T0 + timedelta(minutes=1)), PARTNER
    )
    assert result.replayed == []


async def test_retry_after_is_honoured(setup):
    """A partner's Retry-After delays the next attempt."""
    uow, hooks, _endpoint, clock = setup
    schedule = RetrySchedule(jitter=0)
    sender = ScriptedSender([429], headers={"retry-after": "120"})
    worker = webhook_worker(uow, sender, schedule, clock=clock)
    await fan_out(uow, hooks)
    await worker.run_once()
    clock.advance(119)
    assert await worker.run_once() == 0
    clock.advance(1)
    assert await worker.run_once() == 1
    assert await status_of(uow) == [("delivered", 2)]


async def test_410_disables_the_endpoint_and_stops_deliveries(setup):
    """410 Gone disables the endpoint (with its event); it gets nothing more."""
    uow, hooks, endpoint, clock = setup
    worker = webhook_worker(uow, ScriptedSender([410]), SHORT, clock=clock)
    await fan_out(uow, hooks, "evt-1")
    await worker.run_once()
    view = await hooks.get(c.WebhookRef(endpoint_id=endpoint.id), PARTNER)
    assert not view.enabled and view.disabled_reason == "http_410"
    await fan_out(uow, hooks, "evt-2")  # a disabled endpoint gets nothing new
    assert await status_of(uow) == [("dead_letter", 1)]
    async with uow.db.read() as session:
        subjects = (await session.execute(sa.select(outbox_table.c.subject))).scalars().all()
    assert subjects == [c.WEBHOOK_ENDPOINT_DISABLED]


async def test_deleting_an_endpoint_cancels_pending_deliveries(setup):
    """Deleting an endpoint cancels the deliveries still waiting for it."""
    uow, hooks, endpoint, _clock = setup
    await fan_out(uow, hooks)
    await hooks.delete(c.WebhookRef(endpoint_id=endpoint.id), PARTNER)
    assert await status_of(uow) == [("cancelled", 0)]
    with pytest.raises(Exception) as err:
        await hooks.get(c.WebhookRef(endpoint_id=endpoint.id), PARTNER)
    assert err.value.code == "webhooks_endpoint_not_found"


async def test_customers_cannot_manage_webhooks(setup):
    """Customers may not manage webhooks."""
    _uow, hooks, _endpoint, _clock = setup
    with pytest.raises(Exception) as err:
        await hooks.list({}, Actor(type="customer", id="c1"))
    assert err.value.code == "notifications_forbidden"


async def test_the_database_never_holds_a_signing_secret_in_clear(setup):
    """Create and rotate through the use cases; read the table directly."""
    uow, hooks, endpoint, _clock = setup

    async def stored() -> list[str]:
        async with uow.db.read() as session:
            return list((await session.execute(sa.select(webhook_secrets.c.secret))).scalars())

    [created] = await stored()
    assert created.startswith(SEALED_PREFIX) and endpoint.secret not in created
    rotated = await hooks.rotate_secret(c.WebhookRef(endpoint_id=endpoint.id), PARTNER)
    after = await stored()
    assert len(after) == 2
    for value in after:
        assert value.startswith(SEALED_PREFIX)
        assert endpoint.secret not in value and rotated.secret not in value


async def test_a_secret_sealed_with_a_dropped_key_parks_the_delivery_unsigned(setup):
    """A secret sealed with a dropped key is never replaced: the delivery waits unsigned,
    with the reason."""
    uow, hooks, _endpoint, clock = setup
    sender = ScriptedSender([])
    wrong_keys = SecretBox([Fernet.generate_key().decode()])
    worker = webhook_worker(uow, sender, SHORT, clock=clock, box=wrong_keys)
    await fan_out(uow, hooks)
    assert await worker.run_once() == 0
    assert sender.requests == []  # nothing signed with anything else
    async with uow.db.read() as session:
        [row] = (await session.execute(sa.select(webhook_deliveries))).all()
    assert (row.status, row.attempts, row.last_error) == ("pending", 0, "secret_unreadable")
    assert row.next_attempt_at > clock.now()


async def test_delivery_log_pages_walk_every_delivery_once(setup):
    """Delivery log pages walk every delivery once, even within one instant."""
    uow, hooks, endpoint, _clock = setup
    for k in range(5):  # fanned out at the same instant
        await fan_out(uow, hooks, event_id=f"evt-{k}")
    seen, before, before_id = [], None, None
    for _ in range(10):
        request = c.ListWebhookDeliveriesRequest(endpoint_id=endpoint.id, limit=2, before=before,
                                                 before_id=before_id)  # fmt: skip
        page = (await hooks.deliveries(request, PARTNER)).deliveries
        seen += [d.event_id for d in page]
        if len(page) < 2:
            break
        before, before_id = page[-1].created_at, page[-1].id
    assert sorted(seen) == [f"evt-{k}" for k in range(5)] and len(seen) == 5


async def test_reseal_moves_every_secret_to_the_new_key_without_changing_it(setup):
    """Key rotation: old rows (one sealed with the old key, one stored before sealing existed)
    end up sealed with the new key only; the partner's secret and signatures do not change."""
    uow, _hooks, endpoint, _clock = setup
    async with uow() as tx:  # a row from before sealing existed
        await tx.session.execute(sa.insert(webhook_secrets).values(
            endpoint_id=endpoint.id, secret="whsec_legacy", created_at=T0))  # fmt: skip
    new = Fernet.generate_key().decode()
    rotated = SecretBox([new, *BOX_KEYS])
    assert await reseal_secrets(sql_unit_of_work(uow, rotated)) == 2
    assert await reseal_secrets(sql_unit_of_work(uow, rotated)) == 2  # again: harmless
    new_only = SecretBox([new])
    async with uow.db.read() as session:
        stored = list((await session.execute(sa.select(webhook_secrets.c.secret))).scalars())
    assert sorted(new_only.open(v) for v in stored) == sorted([endpoint.secret, "whsec_legacy"])
    assert all(v.startswith(SEALED_PREFIX) for v in stored)
