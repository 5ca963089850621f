"""When a received event's fact happened: the producer's time, an instant. Messages are ordered
and dated by it (service_layer/message_planning.py), so a time without a zone is read as UTC (the
platform's clock) and a time with one keeps its instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from services.notifications.domain.incoming import IncomingEvent


def event(time: datetime) -> IncomingEvent:
    return IncomingEvent(id="ev-1", type="warranty.claim.approved", time=time, data={})


def test_a_time_without_a_zone_is_utc():
    happened = event(datetime(2026, 12, 5, 9, 30)).happened
    assert happened == datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    assert happened.utcoffset() == timedelta(0)


def test_a_time_with_a_zone_keeps_its_instant():
    paris = timezone(timedelta(hours=1))
    happened = event(datetime(2026, 12, 5, 10, 30, tzinfo=paris)).happened
    assert happened == datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
    assert happened.utcoffset() == timedelta(hours=1)


def test_events_from_two_zones_order_by_instant():
    earlier = event(datetime(2026, 12, 5, 10, 0, tzinfo=timezone(timedelta(hours=2)))).happened
    later = event(datetime(2026, 12, 5, 9, 0)).happened  # 09:00 UTC
    assert earlier < later
