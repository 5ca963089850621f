"""A webhook URL no HTTP client can send to is dead-lettered at once, with the reason
`invalid_url` (docs/operations.md, "Poisoned items and background tasks"): no retry can fix it,
whichever attempt it is. Any other attempt without a response is retried."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.notifications.domain.webhooks import (
    AttemptOutcome,
    Decision,
    NextStep,
    OutcomeKind,
    RetrySchedule,
    classify,
    decide,
)

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def test_an_unsendable_url_gives_up_with_its_reason():
    assert classify(None, {}, NOW, error="invalid_url") == AttemptOutcome(
        OutcomeKind.GIVE_UP, "invalid_url")  # fmt: skip


@pytest.mark.parametrize("attempt", [1, 2, 5])
def test_an_unsendable_url_is_dead_lettered_at_once(attempt):
    outcome = classify(None, {}, NOW, error="invalid_url")
    assert decide(outcome, attempt, NOW, RetrySchedule(jitter=0)) == Decision(NextStep.DEAD_LETTER)


@pytest.mark.parametrize("error", ["timeout", "transport:ConnectError"])
def test_other_attempts_without_a_response_are_retried_with_their_reason(error):
    outcome = classify(None, {}, NOW, error=error)
    assert (outcome.kind, outcome.reason) == (OutcomeKind.RETRY, error)
    assert decide(outcome, 1, NOW, RetrySchedule(jitter=0)).step is NextStep.RETRY
