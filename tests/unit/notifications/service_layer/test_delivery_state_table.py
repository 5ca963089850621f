"""Message delivery, written out from its contract: every (status, action) pair.

The contract (domain/deliveries.py, service_layer/message_delivery.py and held_messages.py, the
`notifications.message.*` events): a planned
message is `pending`; the worker leases it (`sending`), hands it over and records `sent`, a retry
(`pending`) or `failed` once the attempts are spent or the provider refused for good. A hand-over
that broke off without an answer, or a lease that ran out, is asked of the provider; if it cannot
tell, the message is held (`uncertain`) for an agent, who settles it as `sent` or `resend`.
Nothing settled (`sent`, `failed`, in-app `delivered`) ever moves again, and a live lease is
left alone. The outcomes below are typed out by hand.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from services.notifications.adapters.tables import deliveries
from services.notifications.domain.ports import Receipt, SendOutcome, SendStatus
from shared.actor import Actor
from shared.contracts import notifications as c
from shared.errors import Conflict
from shared.persistence.messaging_tables import outbox_table
from tests.support.notifications.cases import (
    NOW,
    RecordingEmail,
    delivery_worker,
    email_row,
    held_rpc,
    plan_one_email,
    rows,
)

AGENT = Actor(type="agent", id="agent-7")
LEASE = 60
MAX_ATTEMPTS = 4
AT = NOW + timedelta(minutes=5)  # when every action happens

# Where a row starts: status, attempts so far, lease.
LIVE, EXPIRED = AT + timedelta(minutes=1), AT - timedelta(seconds=1)
START = {
    "pending": ("pending", 0, None),
    "pending_last_attempt": ("pending", MAX_ATTEMPTS - 1, None),
    "sending_leased": ("sending", 1, LIVE),
    "sending_lease_expired": ("sending", 1, EXPIRED),
    "sent": ("sent", 1, None),
    "failed": ("failed", MAX_ATTEMPTS, None),
    "uncertain": ("uncertain", 1, None),
    "delivered": ("delivered", 0, None),
}

# What the provider does when handed the message, and what it answers when asked afterwards.
PROVIDER = {
    "worker_provider_accepts": (SendOutcome(SendStatus.SENT, "mid"), Receipt.ACCEPTED),
    "worker_provider_busy": (
        SendOutcome(SendStatus.TRANSIENT_FAILURE, error="451"),
        Receipt.NOT_ACCEPTED,
    ),
    "worker_provider_refuses": (
        SendOutcome(SendStatus.PERMANENT_FAILURE, error="550"),
        Receipt.NOT_ACCEPTED,
    ),
    "worker_answer_lost": (SendOutcome(SendStatus.UNCERTAIN, error="cut off"), Receipt.UNKNOWN),
}
AGENT_ACTIONS = {"agent_settles_sent": "sent", "agent_resends": "resend"}
ACTIONS = (*PROVIDER, *AGENT_ACTIONS)

SENT, FAILED, UNCERTAIN = c.MESSAGE_SENT, c.MESSAGE_FAILED, c.MESSAGE_UNCERTAIN
REFUSED = "refused"  # the agent's request is refused (409 notifications_message_not_held)

# start -> action -> (status after, events published); the worker leaves rows it must not touch.
SPEC: dict[str, dict[str, tuple[str, tuple[str, ...]] | str]] = {
    "pending": {
        "worker_provider_accepts": ("sent", (SENT,)),
        "worker_provider_busy": ("pending", (FAILED,)),  # retried later
        "worker_provider_refuses": ("failed", (FAILED,)),
        "worker_answer_lost": ("uncertain", (UNCERTAIN,)),
        "agent_settles_sent": REFUSED,
        "agent_resends": REFUSED,
    },
    "pending_last_attempt": {
        "worker_provider_accepts": ("sent", (SENT,)),
        "worker_provider_busy": ("failed", (FAILED,)),  # attempts spent
        "worker_provider_refuses": ("failed", (FAILED,)),
        "worker_answer_lost": ("uncertain", (UNCERTAIN,)),
        "agent_settles_sent": REFUSED,
        "agent_resends": REFUSED,
    },
    # Another worker holds the lease: nobody touches the row.
    "sending_leased": {
        "worker_provider_accepts": ("sending", ()),
        "worker_provider_busy": ("sending", ()),
        "worker_provider_refuses": ("sending", ()),
        "worker_answer_lost": ("sending", ()),
        "agent_settles_sent": REFUSED,
        "agent_resends": REFUSED,
    },
    # Its worker died mid hand-over: the provider is asked, never sent to blindly.
    "sending_lease_expired": {
        "worker_provider_accepts": ("sent", (SENT,)),
        "worker_provider_busy": ("pending", (FAILED,)),
        "worker_provider_refuses": ("pending", (FAILED,)),
        "worker_answer_lost": ("uncertain", (UNCERTAIN,)),
        "agent_settles_sent": REFUSED,
        "agent_resends": REFUSED,
    },
    "sent": {
        "worker_provider_accepts": ("sent", ()),
        "worker_provider_busy": ("sent", ()),
        "worker_provider_refuses": ("sent", ()),
        "worker_answer_lost": ("sent", ()),
        "agent_settles_sent": REFUSED,
        "agent_resends": REFUSED,
    },
    "failed": {
        "worker_provider_accepts": ("failed", ()),
        "worker_provider_busy": ("failed", ()),
        "worker_provider_refuses": ("failed", ()),
        "worker_answer_lost": ("failed", ()),
        "agent_settles_sent": REFUSED,
        "agent_resends": REFUSED,
    },
    # Held for an agent: the worker never sends it again by itself.
    "uncertain": {
        "worker_provider_accepts": ("uncertain", ()),
        "worker_provider_busy": ("uncertain", ()),
        "worker_provider_refuses": ("uncertain", ()),
        "worker_answer_lost": ("uncertain", ()),
        "agent_settles_sent": ("sent", (SENT,)),
        "agent_resends": ("pending", ()),
    },
    "delivered": {
        "worker_provider_accepts": ("delivered", ()),
        "worker_provider_busy": ("delivered", ()),
        "worker_provider_refuses": ("delivered", ()),
        "worker_answer_lost": ("delivered", ()),
        "agent_settles_sent": REFUSED,
        "agent_resends": REFUSED,
    },
}

PAIRS = [(start, action) for start in SPEC for action in ACTIONS]


def test_the_table_names_every_start_and_every_action():
    """The table below covers every start state and every action."""
    assert set(SPEC) == set(START)
    for start, outcomes in SPEC.items():
        assert sorted(outcomes) == sorted(ACTIONS), start


async def _put_email_row_in(uow, start: str):
    await plan_one_email(uow)
    status, attempts, lease_until = START[start]
    row = await email_row(uow)
    async with uow() as tx:
        await tx.session.execute(
            sa.update(deliveries)
            .where(deliveries.c.id == row.id)
            .values(status=status, attempts=attempts, lease_until=lease_until)
        )
    return row.id


async def _act(uow, action: str, message_id: str) -> None:
    if action in AGENT_ACTIONS:
        request = c.ResolveHeldMessageRequest(message_id=message_id, outcome=AGENT_ACTIONS[action])
        await held_rpc(uow, AT).resolve(request, AGENT)
        return
    outcome, receipt = PROVIDER[action]
    email = RecordingEmail([outcome], receipt=receipt)
    worker = delivery_worker(uow, email, max_attempts=MAX_ATTEMPTS, lease_seconds=LEASE, clock=AT)
    await worker.run_once()


@pytest.mark.parametrize(("start", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
async def test_every_status_and_action(uow, start, action):
    """Each (status, action) pair ends in the status the table names, and nothing else
    moves."""
    message_id = await _put_email_row_in(uow, start)
    published_before = len(await rows(uow, outbox_table))
    expected = SPEC[start][action]
    if expected == REFUSED:
        with pytest.raises(Conflict) as exc:
            await _act(uow, action, message_id)
        assert exc.value.code == "notifications_message_not_held"
        expected = (START[start][0], ())
    else:
        await _act(uow, action, message_id)
    status, events = expected
    assert (await email_row(uow)).status == status
    published = [r.subject for r in (await rows(uow, outbox_table))[published_before:]]
    assert tuple(published) == events
