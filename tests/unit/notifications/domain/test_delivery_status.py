"""The delivery state machine: one word for held, where each status may go, and the fence rule."""

from __future__ import annotations

import pytest

from services.notifications.domain.deliveries import (
    FENCES,
    TRANSITIONS,
    DeliveryStatus,
    Fence,
    Step,
)
from shared.contracts import notifications as c
from shared.errors import InvalidTransition

S = DeliveryStatus


def test_held_is_stored_and_shown_as_uncertain_as_it_always_was():
    """The schema and the public message log keep the value "uncertain" for a held message."""
    assert S.HELD.value == "uncertain"
    shown = c.MessageLogEntry.model_fields["status"].annotation.__args__  # type: ignore[union-attr]
    assert {s.value for s in S} == set(shown)


def test_final_statuses_go_nowhere():
    """Sent, delivered (in-app) and failed messages are never touched again."""
    for final in (S.SENT, S.DELIVERED, S.FAILED):
        assert TRANSITIONS[final] == frozenset()


def test_a_held_message_waits_for_an_agent_or_a_late_answer():
    """Held: only "it went out" (sent) or "send it again" (pending) may follow."""
    assert TRANSITIONS[S.HELD] == {S.SENT, S.PENDING}


def test_only_a_leased_message_can_be_held():
    """Doubt arises only during a hand-over, after the lease."""
    holders = {status for status, targets in TRANSITIONS.items() if S.HELD in targets}
    assert holders == {S.SENDING}
    assert FENCES[Step.HOLD] == (S.SENDING,)


def test_a_late_sent_lands_from_any_status_nobody_decided_since():
    """A "sent" answer is the truth while the row has the same attempt number, whether another
    worker held it or queued a resend meanwhile."""
    assert set(FENCES[Step.RECORD_SENT]) == {S.SENDING, S.HELD, S.PENDING}
    Fence.for_step(Step.RECORD_SENT, 1).check(S.SENT)


def test_every_fenced_step_reaches_only_allowed_targets():
    """The fence table and the transition table agree: each step's writes are legal moves."""
    targets = {
        Step.LEASE: S.SENDING,
        Step.REFUSE: S.FAILED,
        Step.RECORD: S.PENDING,
        Step.RECORD_SENT: S.SENT,
        Step.HOLD: S.HELD,
        Step.SETTLE: S.PENDING,
    }
    assert set(targets) == set(Step)
    for step, to in targets.items():
        Fence.for_step(step, 0).check(to)


@pytest.mark.parametrize("start", [S.SENT, S.DELIVERED, S.FAILED])
def test_a_write_from_a_final_status_is_refused(start):
    """A fence on a final status cannot move the message anywhere."""
    with pytest.raises(InvalidTransition):
        Fence((start,), 1).check(S.PENDING)


def test_a_pending_message_cannot_be_held_without_a_lease():
    """Holding skips no step: pending must be leased (sending) first."""
    with pytest.raises(InvalidTransition):
        Fence((S.PENDING,), 0).check(S.HELD)
