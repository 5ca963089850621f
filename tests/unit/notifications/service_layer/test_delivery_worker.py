"""The delivery worker's hand-over protocol on a real SQLite database: each message once.

A process kill is modelled by `Killed` (a BaseException, like the SystemExit of a dying process,
so no `except Exception` in the worker can swallow it): the worker stops exactly where it was and
its database rows stay as they were committed. A new worker with a later clock then takes over.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
import sqlalchemy as sa

from services.notifications.adapters.tables import deliveries
from services.notifications.domain.ports import (
    Receipt,
    SendOutcome,
    SendStatus,
    SingleCallHandoff,
)
from services.notifications.service_layer.message_delivery import UncertainPolicy
from shared.actor import Actor
from shared.contracts import notifications as c
from shared.errors import Conflict, DomainError, NotFound
from shared.persistence.messaging_tables import outbox_table
from tests.support.notifications.cases import (
    LEASE,
    ME,
    NOW,
    RecordingEmail,
    email_row,
    held_rpc,
    plan_one_email,
    rows,
    worker,
)
from tests.support.waiting import eventually

AGENT = Actor(type="agent", id="agent-7")


class Killed(BaseException):
    """The process died here."""


class ScriptedEmail(RecordingEmail):
    """Hands over like RecordingEmail, but can die or lose the answer at a chosen moment."""

    def __init__(self, *, die: str | None = None, receipt: Receipt = Receipt.UNKNOWN) -> None:
        super().__init__(receipt=receipt)
        self.die = die  # "before_handoff" | "after_handoff" | "uncertain"
        self.closed = 0

    async def prepare(self, message):
        channel = self

        class Handoff(SingleCallHandoff):
            async def hand_over(self):
                if channel.die == "before_handoff":
                    raise Killed
                outcome = await channel.send(message)
                if channel.die == "after_handoff":
                    raise Killed  # the provider has it; the answer never got recorded
                if channel.die == "uncertain":
                    return SendOutcome(SendStatus.UNCERTAIN, error="SMTPServerDisconnected")
                return outcome

            async def close(self):
                channel.closed += 1

        return Handoff(lambda: channel.send(message))


async def message_events(uow) -> list[str]:
    return [r.subject for r in await rows(uow, outbox_table) if r.subject != c.MESSAGE_DELIVERED]


async def crash(uow, email) -> None:
    with pytest.raises(Killed):
        await worker(uow, email).run_once()


LATER = NOW + timedelta(seconds=LEASE + 1)


async def test_killed_after_the_provider_took_it_is_held_not_resent(uow):
    """A worker killed after the hand-over leaves the message in doubt: once its lease runs
    out it is held for an agent, never sent again by itself."""
    await plan_one_email(uow)
    email = ScriptedEmail(die="after_handoff")
    await crash(uow, email)
    assert len(email.sent) == 1 and (await email_row(uow)).status == "sending"
    assert await worker(uow, email, at=NOW + timedelta(seconds=LEASE - 1)).run_once() == 0
    assert await worker(uow, email, at=LATER).run_once() == 1
    row = await email_row(uow)
    assert (row.status, row.attempts, row.last_error) == ("uncertain", 1, "interrupted")
    assert await message_events(uow) == [c.MESSAGE_UNCERTAIN]
    assert await worker(uow, email, at=LATER + timedelta(days=3)).run_once() == 0
    assert len(email.sent) == 1  # never handed over a second time by itself


async def test_killed_before_handing_over_is_held_too_the_worker_cannot_tell(uow):
    """A kill after the lease but before the hand-over looks the same from outside: held
    too."""
    await plan_one_email(uow)
    email = ScriptedEmail(die="before_handoff")
    await crash(uow, email)
    assert email.sent == []
    await worker(uow, email, at=LATER).run_once()
    assert (await email_row(uow)).status == "uncertain"


async def test_killed_before_the_lease_costs_nothing(uow, monkeypatch):
    """A kill before the lease leaves the message pending: the next pass sends it at once."""
    await plan_one_email(uow)
    email = ScriptedEmail()

    def die_at(name: str) -> None:
        if name == "notifications.before_handoff":
            raise Killed

    monkeypatch.setattr("services.notifications.service_layer.message_delivery.crash_point", die_at)
    await crash(uow, email)
    row = await email_row(uow)
    assert (row.status, row.attempts) == ("pending", 0)
    monkeypatch.undo()
    assert await worker(uow, email).run_once() == 1  # right away: nothing was in doubt
    assert (await email_row(uow)).status == "sent" and len(email.sent) == 1


async def test_a_provider_that_can_tell_settles_it_without_an_agent(uow):
    """When the provider confirms it has the message, the doubt is settled as sent."""
    await plan_one_email(uow)
    await crash(uow, ScriptedEmail(die="after_handoff"))
    await worker(uow, ScriptedEmail(receipt=Receipt.ACCEPTED), at=LATER).run_once()
    row = await email_row(uow)
    assert (row.status, row.attempts) == ("sent", 1)
    assert await message_events(uow) == [c.MESSAGE_SENT]


async def test_a_provider_that_never_got_it_gets_it_again(uow):
    """When the provider says it never got the message, it is retried, and sent once."""
    await plan_one_email(uow)
    await crash(uow, ScriptedEmail(die="before_handoff"))
    email = ScriptedEmail(receipt=Receipt.NOT_ACCEPTED)
    await worker(uow, email, at=LATER).run_once()
    row = await email_row(uow)
    assert (row.status, row.last_error) == ("pending", "interrupted; not accepted")
    await worker(uow, email, at=LATER + timedelta(seconds=11)).run_once()
    assert (await email_row(uow)).status == "sent" and len(email.sent) == 1


async def test_resend_policy_sends_again_with_the_same_key(uow):
    """Under the resend policy a message in doubt is sent again with the same delivery key."""
    await plan_one_email(uow)
    email = ScriptedEmail(die="after_handoff")
    await crash(uow, email)
    email.die = None
    await worker(uow, email, at=LATER, policy=UncertainPolicy.RESEND).run_once()
    await worker(
        uow, email, at=LATER + timedelta(seconds=11), policy=UncertainPolicy.RESEND
    ).run_once()
    row = await email_row(uow)
    assert (row.status, row.attempts) == ("sent", 2)
    first, second = email.sent
    assert first.key == second.key  # same delivery key, so the same Message-ID
    assert await message_events(uow) == [c.MESSAGE_FAILED, c.MESSAGE_SENT]


async def test_a_handover_cut_off_without_an_answer_is_held(uow):
    """A hand-over that breaks off without an answer is held, and its connection closed."""
    await plan_one_email(uow)
    email = ScriptedEmail(die="uncertain")
    assert await worker(uow, email).run_once() == 1
    row = await email_row(uow)
    assert (row.status, row.last_error) == ("uncertain", "SMTPServerDisconnected")
    assert email.closed == 1


async def test_a_late_sent_still_lands_if_nobody_leased_the_message_again(uow):
    """Worker A hangs past its lease; B, seeing no answer, holds the message; then A's "sent"
    arrives. Same attempt number, so it is the truth: recorded, no agent needed."""
    await plan_one_email(uow)
    email, release = hanging_email()
    a = asyncio.create_task(worker(uow, email).run_once())
    await wait_for_status(uow, "sending", 1)
    assert await worker(uow, ScriptedEmail(), at=LATER).run_once() == 1  # B: held
    assert (await email_row(uow)).status == "uncertain"
    release.set()
    assert await a == 1
    row = await email_row(uow)
    assert (row.status, row.attempts, len(email.sent)) == ("sent", 1, 1)
    assert await message_events(uow) == [c.MESSAGE_UNCERTAIN, c.MESSAGE_SENT]


async def test_a_stop_during_the_handover_waits_for_its_outcome(uow):
    """The runtime cancels the worker on SIGTERM; a message already handed over is recorded,
    not left `sending` to be held after the restart (a rolling deploy would hold messages)."""
    await plan_one_email(uow)
    email, release = hanging_email()
    run = asyncio.create_task(worker(uow, email).run_once())
    await wait_for_status(uow, "sending", 1)
    run.cancel()
    await asyncio.sleep(0.05)
    assert not run.done()  # still finishing the hand-over
    release.set()
    with pytest.raises(asyncio.CancelledError):
        await run
    assert (await email_row(uow)).status == "sent"


async def test_two_workers_prepare_the_same_message_only_one_hands_it_over(uow):
    """Two workers may prepare the same message; only the one holding the lease hands it
    over."""
    await plan_one_email(uow)
    both_prepared = asyncio.Barrier(2)
    email = ScriptedEmail()
    prepare = email.prepare

    async def prepare_together(message):
        handoff = await prepare(message)
        await both_prepared.wait()
        return handoff

    email.prepare = prepare_together  # type: ignore[method-assign]
    done = await asyncio.gather(worker(uow, email).run_once(), worker(uow, email).run_once())
    assert sorted(done) == [0, 1]
    assert len(email.sent) == 1 and email.closed == 2  # the loser closed without handing over


async def test_a_refusal_before_the_handover_is_recorded_once(uow):
    """A refusal before the hand-over (nothing sent) is recorded once, as an ordinary
    failure."""
    await plan_one_email(uow)
    email = RecordingEmail()

    async def refuse(message):
        return SendOutcome(SendStatus.PERMANENT_FAILURE, error="550 no such mailbox")

    email.prepare = refuse  # type: ignore[method-assign]
    await worker(uow, email).run_once()
    row = await email_row(uow)
    assert (row.status, row.attempts, row.last_error) == ("failed", 1, "550 no such mailbox")
    assert await message_events(uow) == [c.MESSAGE_FAILED]


# Agents settle held messages ------------------------------------------------------------------


async def held_email(uow) -> str:
    await plan_one_email(uow)
    await crash(uow, ScriptedEmail(die="after_handoff"))
    await worker(uow, ScriptedEmail(), at=LATER).run_once()
    return (await email_row(uow)).id


async def test_agent_lists_and_marks_a_held_message_sent(uow):
    """An agent sees the held message and settles it as sent: recorded with its sent event,
    off the held list."""
    message_id = await held_email(uow)
    held = held_rpc(uow, LATER)
    [listed] = (await held.list(c.ListHeldMessagesRequest(), AGENT)).messages
    assert (listed.message_id, listed.address, listed.customer_id) == (
        message_id, "m@example.co.uk", "c1")  # fmt: skip
    settled = await held.resolve(c.ResolveHeldMessageRequest(message_id=message_id,
                                                             outcome="sent"), AGENT)  # fmt: skip
    assert settled.status == "sent"
    assert await message_events(uow) == [c.MESSAGE_UNCERTAIN, c.MESSAGE_SENT]
    assert (await held.list(c.ListHeldMessagesRequest(), AGENT)).messages == []
    with pytest.raises(Conflict) as again:
        await held.resolve(c.ResolveHeldMessageRequest(message_id=message_id, outcome="sent"),
                           AGENT)  # fmt: skip
    assert again.value.code == "notifications_message_not_held"


async def test_agent_resend_goes_out_on_the_next_pass(uow):
    """An agent's resend puts the held message back in the queue: the next pass sends it."""
    message_id = await held_email(uow)
    held = held_rpc(uow, LATER)
    await held.resolve(c.ResolveHeldMessageRequest(message_id=message_id, outcome="resend"), AGENT)
    email = ScriptedEmail()
    assert await worker(uow, email, at=LATER).run_once() == 1
    row = await email_row(uow)
    assert (row.status, row.attempts, len(email.sent)) == ("sent", 2, 1)


async def test_only_agents_see_or_settle_held_messages(uow):
    """Only agents list or settle held messages; others are refused with the service's code."""
    message_id = await held_email(uow)
    held = held_rpc(uow)
    for actor in (ME, Actor(type="partner", id="acme"), None):
        with pytest.raises(DomainError) as refused:
            await held.list(c.ListHeldMessagesRequest(), actor)
        assert refused.value.code == "notifications_forbidden"
        with pytest.raises(DomainError):
            await held.resolve(c.ResolveHeldMessageRequest(message_id=message_id, outcome="sent"),
                               actor)  # fmt: skip
    with pytest.raises(NotFound):
        await held.resolve(c.ResolveHeldMessageRequest(message_id="nope", outcome="sent"), AGENT)
    assert (await email_row(uow)).status == "uncertain"  # nothing changed


async def test_held_rows_are_not_due(uow):
    """A held message is never picked up by the worker, however late it gets."""
    await held_email(uow)
    async with uow.db.read() as session:
        held = (await session.execute(sa.select(deliveries.c.status))).scalars().all()
    assert "uncertain" in held


def hanging_email() -> tuple[ScriptedEmail, asyncio.Event]:
    release = asyncio.Event()
    email = ScriptedEmail()
    send = email.send

    async def hang(message):
        await release.wait()
        return await send(message)

    email.send = hang  # type: ignore[method-assign]
    return email, release


async def wait_for_status(uow, status: str, attempts: int) -> None:
    async def reached() -> bool:
        row = await email_row(uow)
        return (row.status, row.attempts) == (status, attempts)

    await eventually(reached, timeout=5, interval=0.01)


async def test_a_late_answer_does_not_land_on_a_newer_attempt(uow):
    """The attempt number fences the record: A's stale outcome cannot close C's attempt."""
    await plan_one_email(uow)
    email_a, release_a = hanging_email()
    a = asyncio.create_task(worker(uow, email_a).run_once())
    await wait_for_status(uow, "sending", 1)
    await worker(uow, ScriptedEmail(), at=LATER, policy=UncertainPolicy.RESEND).run_once()
    email_c, release_c = hanging_email()
    c_run = asyncio.create_task(worker(uow, email_c, at=LATER + timedelta(seconds=11)).run_once())
    await wait_for_status(uow, "sending", 2)
    release_a.set()
    assert await a == 0
    assert ((await email_row(uow)).status, (await email_row(uow)).attempts) == ("sending", 2)
    release_c.set()
    assert await c_run == 1
    assert await message_events(uow) == [c.MESSAGE_FAILED, c.MESSAGE_SENT]
