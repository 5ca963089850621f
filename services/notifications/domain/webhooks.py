"""Partner webhooks (Standard Webhooks): endpoints, secret rotation, retries, outcomes, payloads.

Pure rules. Signing, DNS checks and HTTP live in adapters; the randomness of the jitter is
passed in so the schedule is testable.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from shared.contracts.bounds import has_control_characters

from .errors import (
    InvalidWebhookEndpoint,
    InvalidWebhookUrl,
    UnknownWebhookEventType,
    WebhookHttpsRequired,
    WebhookSecretError,
)
from .webhook_figures import figures as _figures

# Identifiers that point at a person are kept out of partner payloads, even though they are ids.
PERSONAL_ID_FIELDS = frozenset({"customer_id", "agent_id", "user_id", "recipient_id"})


@dataclass(frozen=True)
class EndpointSecret:
    """A signing secret (`whsec_...`). `expires_at` is set when a newer secret replaces it."""

    value: str
    created_at: datetime
    expires_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        return self.expires_at is None or now < self.expires_at


def _matches(pattern: str, event_type: str) -> bool:
    if pattern == "*":
        return True
    if pattern.endswith(".*"):
        return event_type.startswith(pattern[:-1])
    return pattern == event_type


@dataclass(frozen=True)
class WebhookEndpoint:
    id: str
    owner: str  # partner / API-key id that registered it
    url: str
    event_types: tuple[str, ...]
    secrets: tuple[EndpointSecret, ...]
    disabled_at: datetime | None = None
    disabled_reason: str | None = None

    def __post_init__(self) -> None:
        parts = urlsplit(self.url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InvalidWebhookEndpoint(
                "webhook URL must be an absolute http(s) URL", details={"url": self.url}
            )
        if parts.username or parts.password:
            raise InvalidWebhookEndpoint("webhook URL must not carry credentials")
        if not self.event_types:
            raise InvalidWebhookEndpoint("at least one event type is required")
        for pattern in self.event_types:
            if not pattern or " " in pattern or ("*" in pattern and not _is_wildcard(pattern)):
                raise InvalidWebhookEndpoint(
                    f"bad event type filter {pattern!r}", details={"event_type": pattern}
                )
        if not self.secrets:
            raise WebhookSecretError("an endpoint needs a signing secret")

    @property
    def enabled(self) -> bool:
        return self.disabled_at is None

    def wants(self, event_type: str) -> bool:
        return self.enabled and any(_matches(p, event_type) for p in self.event_types)

    def signing_secrets(self, now: datetime) -> tuple[str, ...]:
        """Every secret still valid: during a rotation overlap there are two, both sign."""
        return tuple(s.value for s in self.secrets if s.active(now))

    def rotate(self, new_secret: str, now: datetime, overlap: timedelta) -> WebhookEndpoint:
        """Add a new secret; older ones keep signing until `now + overlap`."""
        if any(s.value == new_secret for s in self.secrets):
            raise WebhookSecretError("the new secret must differ from the current ones")
        until = now + overlap
        kept = tuple(
            replace(s, expires_at=min(s.expires_at or until, until))
            for s in self.secrets
            if s.active(now)
        )
        return replace(self, secrets=(*kept, EndpointSecret(new_secret, now)))

    def disable(self, now: datetime, reason: str) -> WebhookEndpoint:
        return replace(self, disabled_at=now, disabled_reason=reason)


def check_registration(
    url: str, event_types: Iterable[str], *, require_https: bool, known_types: Iterable[str]
) -> None:
    """Refuse what can be known wrong at registration, before anything is stored.

    A URL that no HTTP client can send to, an `http` target where https is required, and a
    filter that selects no event type of the registry (a typo would otherwise wait for ever).
    """
    if has_control_characters(url):
        raise InvalidWebhookUrl(
            "webhook URL holds control characters or white space", details={"url": repr(url)}
        )
    if require_https and urlsplit(url).scheme != "https":
        raise WebhookHttpsRequired("webhook targets must use https here")
    known = tuple(known_types)
    for pattern in event_types:
        if not any(_matches(pattern, t) for t in known):
            raise UnknownWebhookEventType(
                f"no event type matches {pattern!r}", details={"event_type": pattern}
            )


def _is_wildcard(pattern: str) -> bool:
    return pattern == "*" or (pattern.endswith(".*") and "*" not in pattern[:-2])


@dataclass(frozen=True)
class RetrySchedule:
    """Exponential backoff with jitter, long enough to ride out a partner's weekend outage.

    Nominal delays grow by `multiplier` from `base_seconds` up to `cap_seconds`, and retries
    continue until they span `min_span_seconds` (72 h by default). Jitter only ever adds time
    (up to `jitter` x the delay), so the span guarantee holds. `scale` compresses everything
    (tests use e.g. 0.0001).
    """

    base_seconds: float = 10.0
    multiplier: float = 3.0
    cap_seconds: float = 12 * 3600.0
    min_span_seconds: float = 72 * 3600.0
    jitter: float = 0.2
    scale: float = 1.0
    max_retry_after_seconds: float = 24 * 3600.0

    def nominal_delays(self) -> tuple[float, ...]:
        """Delay before each retry (retry 1 is the second attempt), unscaled, without jitter."""
        delays: list[float] = []
        delay, total = self.base_seconds, 0.0
        while total < self.min_span_seconds:
            step = min(delay, self.cap_seconds)
            delays.append(step)
            total += step
            delay *= self.multiplier
        return tuple(delays)

    @property
    def max_attempts(self) -> int:
        return len(self.nominal_delays()) + 1

    def delay_before(self, attempt: int, rng: random.Random | None = None) -> timedelta | None:
        """Wait before attempt number `attempt` (2, 3, ...); None once the schedule is spent."""
        delays = self.nominal_delays()
        if attempt < 2 or attempt - 2 >= len(delays):
            return None
        nominal = delays[attempt - 2]
        spread = (rng or random).uniform(0.0, self.jitter) if self.jitter else 0.0
        return timedelta(seconds=nominal * (1 + spread) * self.scale)


class OutcomeKind(StrEnum):
    DELIVERED = "delivered"
    RETRY = "retry"
    DISABLE = "disable"  # 410 Gone: the partner has removed the endpoint
    GIVE_UP = "give_up"  # no attempt can ever succeed (e.g. an unsendable URL)


# Errors of an attempt that no retry can fix.
PERMANENT_ERRORS = frozenset({"invalid_url"})


@dataclass(frozen=True)
class AttemptOutcome:
    kind: OutcomeKind
    reason: str
    retry_after: timedelta | None = None


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Retry-After as delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))


def classify(
    status_code: int | None, headers: Mapping[str, str], now: datetime, error: str | None = None
) -> AttemptOutcome:
    """What one attempt's response means. `status_code` None = no response (timeout, refused)."""
    if status_code is None:
        if error in PERMANENT_ERRORS:
            return AttemptOutcome(OutcomeKind.GIVE_UP, error or "")
        return AttemptOutcome(OutcomeKind.RETRY, error or "no_response")
    if 200 <= status_code < 300:
        return AttemptOutcome(OutcomeKind.DELIVERED, f"http_{status_code}")
    if status_code == 410:
        return AttemptOutcome(OutcomeKind.DISABLE, "http_410")
    if status_code in (429, 503):
        lowered = {k.lower(): v for k, v in headers.items()}
        wait = parse_retry_after(lowered.get("retry-after"), now)
        return AttemptOutcome(OutcomeKind.RETRY, f"http_{status_code}", wait)
    # Redirects are not followed (the target could point anywhere): a failure like any other.
    return AttemptOutcome(OutcomeKind.RETRY, f"http_{status_code}")


class NextStep(StrEnum):
    DONE = "delivered"
    RETRY = "retry"
    DISABLE_ENDPOINT = "disable_endpoint"
    DEAD_LETTER = "dead_letter"


@dataclass(frozen=True)
class Decision:
    step: NextStep
    next_attempt_at: datetime | None = None


def decide(
    outcome: AttemptOutcome,
    attempt: int,
    now: datetime,
    schedule: RetrySchedule,
    rng: random.Random | None = None,
) -> Decision:
    """After attempt number `attempt` (1-based) ended with `outcome`, what happens next."""
    if outcome.kind is OutcomeKind.DELIVERED:
        return Decision(NextStep.DONE)
    if outcome.kind is OutcomeKind.DISABLE:
        return Decision(NextStep.DISABLE_ENDPOINT)
    if outcome.kind is OutcomeKind.GIVE_UP:
        return Decision(NextStep.DEAD_LETTER)
    delay = schedule.delay_before(attempt + 1, rng)
    if delay is None:
        return Decision(NextStep.DEAD_LETTER)
    if outcome.retry_after is not None:
        asked = min(outcome.retry_after.total_seconds(), schedule.max_retry_after_seconds)
        delay = max(delay, timedelta(seconds=asked * schedule.scale))
    return Decision(NextStep.RETRY, now + delay)


@dataclass(frozen=True)
class WebhookPayload:
    """The thin Standard Webhooks body: the type, when it happened, and ids to fetch details."""

    type: str
    timestamp: datetime
    data: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        ts = self.timestamp.astimezone(UTC).isoformat().replace("+00:00", "Z")
        return {"type": self.type, "timestamp": ts, "data": dict(self.data)}


def thin_payload(event_type: str, occurred_at: datetime, data: Mapping[str, Any]) -> WebhookPayload:
    """Keep only non-personal identifiers (`id`, `*_id`, `*_ids`), plus figures (returns)."""
    kept: dict[str, Any] = _figures(event_type, data)
    for key, value in data.items():
        is_id = key == "id" or key.endswith("_id") or key.endswith("_ids")
        if not is_id or key in PERSONAL_ID_FIELDS:
            continue
        if isinstance(value, str | int) or (
            isinstance(value, list | tuple) and all(isinstance(v, str | int) for v in value)
        ):
            kept[key] = list(value) if isinstance(value, list | tuple) else value
    return WebhookPayload(event_type, occurred_at, kept)


def subscribed(patterns: Iterable[str], event_type: str) -> bool:
    """Whether an endpoint's event-type filters select `event_type`."""
    return any(_matches(p, event_type) for p in patterns)


def endpoints_for(endpoints: Iterable[WebhookEndpoint], event_type: str) -> list[WebhookEndpoint]:
    return [e for e in endpoints if e.wants(event_type)]
