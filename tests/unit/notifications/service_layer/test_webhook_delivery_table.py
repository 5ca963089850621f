"""Webhook delivery, written out from the spec (DESIGN.md "Partners", Standard Webhooks).

Every answer a partner can give, at a first and at a last attempt, with what happens next; then
every delivery status against every action on it (an attempt, a replay, deleting the endpoint).
2xx delivers; 410 Gone disables the endpoint; anything else (no answer, redirects, 4xx, 5xx) is
retried with backoff, honouring Retry-After on 429/503, until the schedule is spent and the
delivery goes to the dead-letter list; an operator or partner may replay any settled delivery.
The outcomes are typed out by hand, never derived from the code.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from services.notifications.adapters.tables import webhook_deliveries, webhook_endpoints
from services.notifications.domain.webhooks import NextStep, RetrySchedule, classify, decide
from shared.contracts import notifications as c
from tests.support.notifications.cases import (
    PARTNER,
    SHORT,
    T0,
    ScriptedSender,
    fan_out,
    webhook_worker,
)

DONE, RETRY, DISABLE, DEAD = (
    NextStep.DONE,
    NextStep.RETRY,
    NextStep.DISABLE_ENDPOINT,
    NextStep.DEAD_LETTER,
)
SECOND = timedelta(seconds=1)
# SHORT: three attempts in all, one second apart, no jitter.
FIRST_ATTEMPT, LAST_ATTEMPT = 1, 3

# status code (None = no answer), Retry-After -> (reason, after attempt 1, after the last)
# where "after" is (next step, wait before the next attempt or None)
ANSWERS: dict[tuple[int | None, str | None], tuple[str, tuple, tuple]] = {
    (200, None): ("http_200", (DONE, None), (DONE, None)),
    (201, None): ("http_201", (DONE, None), (DONE, None)),
    (204, None): ("http_204", (DONE, None), (DONE, None)),
    (299, None): ("http_299", (DONE, None), (DONE, None)),
    (199, None): ("http_199", (RETRY, SECOND), (DEAD, None)),
    (300, None): ("http_300", (RETRY, SECOND), (DEAD, None)),  # redirects are not followed
    (301, None): ("http_301", (RETRY, SECOND), (DEAD, None)),
    (400, None): ("http_400", (RETRY, SECOND), (DEAD, None)),
    (404, None): ("http_404", (RETRY, SECOND), (DEAD, None)),
    (409, None): ("http_409", (RETRY, SECOND), (DEAD, None)),
    (410, None): ("http_410", (DISABLE, None), (DISABLE, None)),
    (411, None): ("http_411", (RETRY, SECOND), (DEAD, None)),
    (429, None): ("http_429", (RETRY, SECOND), (DEAD, None)),
    (429, "120"): ("http_429", (RETRY, 120 * SECOND), (DEAD, None)),
    (429, "0"): ("http_429", (RETRY, SECOND), (DEAD, None)),  # never sooner than the schedule
    (500, None): ("http_500", (RETRY, SECOND), (DEAD, None)),
    (502, None): ("http_502", (RETRY, SECOND), (DEAD, None)),
    (503, None): ("http_503", (RETRY, SECOND), (DEAD, None)),
    (503, "30"): ("http_503", (RETRY, 30 * SECOND), (DEAD, None)),
    (504, "30"): ("http_504", (RETRY, SECOND), (DEAD, None)),  # Retry-After only on 429/503
    (None, None): ("timeout", (RETRY, SECOND), (DEAD, None)),
}


@pytest.mark.parametrize(("answer", "expected"), list(ANSWERS.items()), ids=str)
@pytest.mark.parametrize("attempt", [FIRST_ATTEMPT, LAST_ATTEMPT])
def test_every_answer_at_a_first_and_a_last_attempt(answer, expected, attempt):
    """Each partner answer leads to the step the table names, at a first and at a last
    attempt."""
    status_code, retry_after = answer
    reason, after_first, after_last = expected
    headers = {"Retry-After": retry_after} if retry_after else {}
    outcome = classify(status_code, headers, T0, None if status_code else "timeout")
    assert outcome.reason == reason
    step, wait = after_first if attempt == FIRST_ATTEMPT else after_last
    decision = decide(outcome, attempt, T0, SHORT)
    assert decision.step is step
    assert decision.next_attempt_at == (T0 + wait if wait is not None else None)


def test_retry_after_is_capped_at_a_day():
    """A partner's Retry-After never postpones a delivery by more than a day."""
    outcome = classify(429, {"retry-after": str(3 * 24 * 3600)}, T0)
    decision = decide(outcome, 1, T0, RetrySchedule(jitter=0))
    assert decision.next_attempt_at == T0 + timedelta(hours=24)


# Where a delivery row starts: status, attempts so far.
START = {
    "pending": ("pending", 0),
    "pending_last_attempt": ("pending", 2),
    "delivered": ("delivered", 1),
    "dead_letter": ("dead_letter", 3),
    "cancelled": ("cancelled", 0),
}
ACTIONS = ("attempt_200", "attempt_500", "attempt_410", "replay", "delete_endpoint")

# start -> action -> status after; the endpoint is disabled only by a 410.
SPEC = {
    "pending": {
        "attempt_200": "delivered",
        "attempt_500": "pending",
        "attempt_410": "dead_letter",
        "replay": "pending",
        "delete_endpoint": "cancelled",
    },
    "pending_last_attempt": {
        "attempt_200": "delivered",
        "attempt_500": "dead_letter",
        "attempt_410": "dead_letter",
        "replay": "pending",
        "delete_endpoint": "cancelled",
    },
    "delivered": {
        "attempt_200": "delivered",
        "attempt_500": "delivered",
        "attempt_410": "delivered",
        "replay": "pending",
        "delete_endpoint": "delivered",
    },
    "dead_letter": {
        "attempt_200": "dead_letter",
        "attempt_500": "dead_letter",
        "attempt_410": "dead_letter",
        "replay": "pending",
        "delete_endpoint": "dead_letter",
    },
    "cancelled": {
        "attempt_200": "cancelled",
        "attempt_500": "cancelled",
        "attempt_410": "cancelled",
        "replay": "pending",
        "delete_endpoint": "cancelled",
    },
}
PAIRS = [(start, action) for start in SPEC for action in ACTIONS]


def test_the_table_names_every_start_and_every_action():
    """The table below covers every start status and every action."""
    assert set(SPEC) == set(START)
    for start, outcomes in SPEC.items():
        assert sorted(outcomes) == sorted(ACTIONS), start


async def _act(uow, hooks, endpoint, clock, action: str) -> None:
    ref = c.WebhookRef(endpoint_id=endpoint.id)
    if action == "replay":
        await hooks.replay(c.ReplayWebhookRequest(endpoint_id=endpoint.id, since=T0), PARTNER)
    elif action == "delete_endpoint":
        await hooks.delete(ref, PARTNER)
    else:
        sender = ScriptedSender([int(action.removeprefix("attempt_"))])
        worker = webhook_worker(uow, sender, SHORT, clock=clock)
        await worker.run_once()


@pytest.mark.parametrize(("start", "action"), PAIRS, ids=[f"{s}-{a}" for s, a in PAIRS])
async def test_every_status_and_action(setup, start, action):
    """Each (status, action) pair ends in the status the table names."""
    uow, hooks, endpoint, clock = setup
    await fan_out(uow, hooks)
    status, attempts = START[start]
    async with uow() as tx:
        await tx.session.execute(
            sa.update(webhook_deliveries).values(status=status, attempts=attempts)
        )
    await _act(uow, hooks, endpoint, clock, action)
    async with uow.db.read() as session:
        [row] = (await session.execute(sa.select(webhook_deliveries))).all()
        [disabled_at] = (await session.execute(sa.select(webhook_endpoints.c.disabled_at))).one()
    assert row.status == SPEC[start][action]
    endpoint_disabled = action == "attempt_410" and start.startswith("pending")
    assert (disabled_at is not None) is endpoint_disabled
