import itertools
import random
from datetime import UTC, datetime, timedelta, timezone

import pytest

from services.notifications.domain.errors import InvalidWebhookEndpoint, WebhookSecretError
from services.notifications.domain.webhooks import (
    EndpointSecret,
    NextStep,
    OutcomeKind,
    RetrySchedule,
    WebhookEndpoint,
    WebhookPayload,
    classify,
    decide,
    endpoints_for,
    parse_retry_after,
    subscribed,
    thin_payload,
)

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _endpoint(**kw) -> WebhookEndpoint:
    values = {
        "id": "we_1",
        "owner": "partner-1",
        "url": "https://partner.example/hooks",
        "event_types": ("warranty.claim.*",),
        "secrets": (EndpointSecret("whsec_AAAA", NOW),),
    }
    return WebhookEndpoint(**(values | kw))


def test_event_type_filters():
    """An endpoint wants the event types its filters select, exactly or by wildcard."""
    endpoint = _endpoint(event_types=("warranty.claim.*", "orders.order.shipped"))
    assert endpoint.wants("warranty.claim.approved")
    assert endpoint.wants("orders.order.shipped")
    assert not endpoint.wants("orders.order.placed")
    assert _endpoint(event_types=("*",)).wants("orders.order.placed")
    assert (
        endpoints_for(
            [endpoint, _endpoint(id="we_2", event_types=("orders.*",))], "orders.order.placed"
        )[0].id
        == "we_2"
    )


@pytest.mark.parametrize(
    "kw",
    [
        {"url": "ftp://partner.example/x"},
        {"url": "/relative"},
        {"url": "https://user:pw@partner.example/"},
        {"event_types": ()},
        {"event_types": ("warranty.*.approved",)},
    ],
)
def test_invalid_endpoints(kw):
    """An endpoint built from invalid values is refused with a stable code."""
    with pytest.raises(InvalidWebhookEndpoint) as err:
        _endpoint(**kw)
    assert err.value.code == "webhooks_invalid_endpoint"


def test_endpoint_needs_a_secret():
    """An endpoint cannot exist without a signing secret."""
    with pytest.raises(WebhookSecretError):
        _endpoint(secrets=())


def test_rotation_keeps_old_secret_during_overlap():
    """After a rotation both secrets sign until the overlap ends; then only the new one."""
    endpoint = _endpoint().rotate("whsec_BBBB", NOW, timedelta(hours=24))
    assert endpoint.signing_secrets(NOW) == ("whsec_AAAA", "whsec_BBBB")
    assert endpoint.signing_secrets(NOW + timedelta(hours=23)) == ("whsec_AAAA", "whsec_BBBB")
    assert endpoint.signing_secrets(NOW + timedelta(hours=24)) == ("whsec_BBBB",)
    # rotating again drops what already expired and shortens nothing still valid beyond reason
    later = endpoint.rotate("whsec_CCCC", NOW + timedelta(hours=30), timedelta(hours=1))
    assert [s.value for s in later.secrets] == ["whsec_BBBB", "whsec_CCCC"]
    with pytest.raises(WebhookSecretError):
        later.rotate("whsec_CCCC", NOW, timedelta(hours=1))


def test_disabled_endpoint_wants_nothing():
    """A disabled endpoint wants no event at all."""
    endpoint = _endpoint().disable(NOW, "http_410")
    assert not endpoint.enabled
    assert not endpoint.wants("warranty.claim.approved")


def test_schedule_spans_at_least_72_hours_and_grows():
    """The retry schedule grows and spans at least 72 hours before giving up."""
    schedule = RetrySchedule()
    delays = schedule.nominal_delays()
    assert sum(delays) >= 72 * 3600
    assert sum(delays[:-1]) < 72 * 3600  # no more attempts than needed
    assert all(b >= a for a, b in itertools.pairwise(delays))
    assert delays[0] == 10 and max(delays) == 12 * 3600
    rng = random.Random(7)
    actual = [schedule.delay_before(n, rng) for n in range(2, schedule.max_attempts + 1)]
    assert sum(d.total_seconds() for d in actual) >= 72 * 3600
    for nominal, jittered in zip(delays, actual, strict=True):
        assert nominal <= jittered.total_seconds() <= nominal * 1.2
    assert schedule.delay_before(schedule.max_attempts + 1) is None
    assert schedule.delay_before(1) is None


def test_jitter_varies_between_deliveries():
    """Retry delays are jittered, so deliveries failing together do not retry together."""
    schedule = RetrySchedule()
    rng = random.Random(1)
    assert len({schedule.delay_before(5, rng) for _ in range(10)}) > 1


def test_scale_compresses_the_schedule():
    """The scale setting compresses the whole schedule (tests only)."""
    fast = RetrySchedule(scale=0.0001, jitter=0)
    assert fast.delay_before(2) == timedelta(seconds=10 * 0.0001)
    assert fast.max_attempts == RetrySchedule().max_attempts


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (200, OutcomeKind.DELIVERED),
        (204, OutcomeKind.DELIVERED),
        (410, OutcomeKind.DISABLE),
        (301, OutcomeKind.RETRY),
        (400, OutcomeKind.RETRY),
        (404, OutcomeKind.RETRY),
        (500, OutcomeKind.RETRY),
        (502, OutcomeKind.RETRY),
        (None, OutcomeKind.RETRY),
    ],
)
def test_classification(status, kind):
    """Each response (2xx, 410, 4xx, 5xx, none) is classified as delivered, gone, permanent
    or retryable."""
    assert classify(status, {}, NOW, error="timeout").kind is kind


def test_retry_after_seconds_and_http_date():
    """Retry-After is read in seconds and as an HTTP date."""
    assert parse_retry_after("120", NOW) == timedelta(seconds=120)
    assert parse_retry_after("Mon, 23 Nov 2026 12:05:00 GMT", NOW) == timedelta(minutes=5)
    assert parse_retry_after("Mon, 23 Nov 2026 11:00:00 GMT", NOW) == timedelta(0)
    assert parse_retry_after("soon", NOW) is None
    assert parse_retry_after(None, NOW) is None
    outcome = classify(429, {"Retry-After": "600"}, NOW)
    assert outcome.retry_after == timedelta(minutes=10)
    assert classify(
        503, {"retry-after": "Mon, 23 Nov 2026 13:00:00 GMT"}, NOW
    ).retry_after == timedelta(hours=1)


def test_decisions():
    """The next step follows from the outcome and the attempt: done, retry, disable or dead-
    letter."""
    schedule = RetrySchedule(jitter=0)
    assert decide(classify(200, {}, NOW), 1, NOW, schedule).step is NextStep.DONE
    assert decide(classify(410, {}, NOW), 3, NOW, schedule).step is NextStep.DISABLE_ENDPOINT
    retry = decide(classify(500, {}, NOW), 1, NOW, schedule)
    assert retry == (retry.__class__(NextStep.RETRY, NOW + timedelta(seconds=10)))
    honoured = decide(classify(429, {"Retry-After": "3600"}, NOW), 1, NOW, schedule)
    assert honoured.next_attempt_at == NOW + timedelta(hours=1)
    # Retry-After shorter than the schedule does not shorten the backoff
    short = decide(classify(503, {"Retry-After": "1"}, NOW), 5, NOW, schedule)
    assert short.next_attempt_at == NOW + timedelta(seconds=schedule.nominal_delays()[4])
    last = decide(classify(500, {}, NOW), schedule.max_attempts, NOW, schedule)
    assert last.step is NextStep.DEAD_LETTER


def test_retry_after_is_capped_and_scaled():
    """A partner's Retry-After is capped, and scaled with the schedule."""
    schedule = RetrySchedule(jitter=0, scale=0.001)
    decision = decide(classify(429, {"Retry-After": str(10 * 24 * 3600)}, NOW), 1, NOW, schedule)
    assert decision.next_attempt_at == NOW + timedelta(seconds=24 * 3600 * 0.001)


def test_thin_payload_keeps_only_non_personal_ids():
    """A partner's payload carries the event's non-personal ids and codes only."""
    data = {
        "claim_id": "CLM-1",
        "rma_id": "RMA-1",
        "customer_id": "cust-9",
        "email": "m@example.com",
        "name": "Margaret",
        "part_ids": ["p1", "p2"],
        "address": {"line1": "1 High St"},
        "order_id": 42,
    }
    payload = thin_payload("warranty.claim.approved", NOW, data).to_dict()
    assert payload == {
        "type": "warranty.claim.approved",
        "timestamp": "2026-11-23T12:00:00Z",
        "data": {"claim_id": "CLM-1", "rma_id": "RMA-1", "part_ids": ["p1", "p2"], "order_id": 42},
    }


def test_ids_that_point_at_a_person_never_reach_a_partner():
    """Ids that identify a person (customer, agent, user) never reach a partner."""
    data = {"claim_id": "CLM-1", "customer_id": "c1", "agent_id": "a7", "user_id": "u1",
            "recipient_id": "r1", "order_ids": ["o1", "o2"], "id": 7, "note": "x"}  # fmt: skip
    payload = thin_payload("warranty.claim.approved", NOW, data)
    assert payload.data == {"claim_id": "CLM-1", "order_ids": ["o1", "o2"], "id": 7}


def test_a_wildcard_matches_its_prefix_and_its_dot_only():
    """A wildcard matches its prefix at a dot boundary, not a longer word."""
    assert subscribed(["orders.*"], "orders.order.placed")
    assert not subscribed(["orders.*"], "orders_archive.x")
    assert not subscribed(["orders.*"], "ops.thing")


def test_a_retry_after_date_without_a_zone_is_read_as_utc():
    """A Retry-After date without a zone is read as UTC."""
    now = datetime(2026, 12, 5, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Sat, 05 Dec 2026 00:10:00 -0000", now) == timedelta(minutes=10)


def test_429_is_an_outcome_to_retry():
    """429 Too Many Requests is retried, not given up."""
    assert classify(429, {}, NOW).kind is OutcomeKind.RETRY


def test_the_jitter_comes_from_the_given_random_source():
    """Jitter comes from the random source given, so runs can be repeated."""
    schedule = RetrySchedule(jitter=0.2)
    outcome = classify(500, {}, NOW)
    expected = 10 * (1 + random.Random(7).uniform(0.0, 0.2))
    decision = decide(outcome, 1, NOW, schedule, random.Random(7))
    assert decision.next_attempt_at == NOW + timedelta(seconds=expected)


def test_id_lists_are_kept_as_lists_of_plain_ids_only():
    """Lists of ids stay in the payload only when they hold plain ids."""
    data = {"order_ids": ("o1", "o2"), "item_ids": ["a", {"x": 1}]}
    assert thin_payload("t", NOW, data).data == {"order_ids": ["o1", "o2"]}


def test_a_disabled_endpoint_keeps_its_reason():
    """A disabled endpoint keeps the reason it was disabled for."""
    disabled = _endpoint().disable(NOW, "http_410")
    assert (disabled.disabled_at, disabled.disabled_reason) == (NOW, "http_410")


def test_payload_timestamps_are_utc():
    """Payload timestamps are UTC, whatever zone the event came in."""
    paris = timezone(timedelta(hours=1))
    payload = WebhookPayload("t", datetime(2026, 1, 1, 13, 0, tzinfo=paris), {})
    assert payload.to_dict()["timestamp"] == "2026-01-01T12:00:00Z"


def test_a_bad_event_type_filter_is_named():
    """A refused event type filter is named in the error."""
    with pytest.raises(InvalidWebhookEndpoint) as exc:
        _endpoint(event_types=("orders.*.placed",))
    assert exc.value.details == {"event_type": "orders.*.placed"}
