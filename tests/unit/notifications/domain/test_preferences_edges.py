"""Edges of contact details and preferences (docs/notifications.md): what each refusal tells the
client (code and details), which addresses a channel has, the stored opt-ins as channels, and the
bounds of quiet hours (from the start, inclusive, to the end, exclusive)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from services.notifications.domain.channels import Category, Channel
from services.notifications.domain.errors import (
    InvalidContact,
    InvalidQuietHours,
    TransactionalChannelRequired,
    UnsupportedLocale,
)
from services.notifications.domain.preferences import Contact, Preferences, QuietHours


def test_each_refusal_names_its_field() -> None:
    with pytest.raises(InvalidContact) as no_customer:
        Contact("")
    assert no_customer.value.code == "notifications_missing_customer"
    assert str(no_customer.value) == "customer id is required"
    with pytest.raises(InvalidContact) as zone:
        Contact("c1", time_zone="Mars/Olympus")
    assert zone.value.code == "notifications_invalid_time_zone"
    assert zone.value.details == {"time_zone": "Mars/Olympus"}
    with pytest.raises(UnsupportedLocale) as locale:
        Contact("c1", locale="fr_FR")
    assert locale.value.details == {"locale": "fr_FR", "supported": ["en-US", "en-GB", "en-IE"]}


def test_transactional_messages_keep_email_or_the_inbox_and_the_refusal_says_where() -> None:
    with pytest.raises(TransactionalChannelRequired) as whole:
        Preferences("c1", opt_ins={Category.TRANSACTIONAL: {Channel.SMS, Channel.PUSH}})
    assert whole.value.details == {"scope": "transactional", "channels": ["push", "sms"]}
    with pytest.raises(TransactionalChannelRequired) as one_kind:
        Preferences("c1", kind_overrides={"order_shipped": {"sms"}})
    assert one_kind.value.details == {"scope": "order_shipped", "channels": ["sms"]}


def test_opt_ins_and_overrides_are_stored_as_channels() -> None:
    prefs = Preferences(
        "c1",
        opt_ins={Category.TRANSACTIONAL: ["email", "sms"]},
        kind_overrides={"order_shipped": ["in_app"]},
    )
    assert prefs.opt_ins == {
        Category.TRANSACTIONAL: frozenset({Channel.EMAIL, Channel.SMS}),
        Category.MARKETING: frozenset(),
    }
    assert prefs.kind_overrides == {"order_shipped": frozenset({Channel.IN_APP})}


def test_a_channel_without_an_address_has_no_recipient() -> None:
    bare = Contact("c1")
    assert bare.recipients(Channel.EMAIL) == ()
    assert bare.recipients(Channel.SMS) == ()
    assert bare.recipients(Channel.IN_APP) == ("c1",)
    assert not bare.reachable_on(Channel.PUSH)
    assert Contact("c1", push_tokens=("tok",)).reachable_on(Channel.PUSH)
    assert Contact("c1", email="m@example.com").reachable_on(Channel.IN_APP)


def test_quiet_hours_need_wall_clock_times_at_both_ends() -> None:
    with pytest.raises(InvalidQuietHours):
        QuietHours(time(22, tzinfo=UTC), time(7))
    with pytest.raises(InvalidQuietHours):
        QuietHours(time(22), time(7, tzinfo=UTC))


def test_quiet_hours_run_from_the_start_to_just_before_the_end() -> None:
    day = datetime(2026, 11, 23, tzinfo=UTC)
    afternoon = QuietHours(time(13), time(15))  # does not wrap midnight
    assert afternoon.release_time(day.replace(hour=13), UTC) == day.replace(hour=15)
    assert afternoon.release_time(day.replace(hour=15), UTC) == day.replace(hour=15)
    assert afternoon.release_time(day.replace(hour=12, minute=59), UTC) == day.replace(
        hour=12, minute=59
    )
    night = QuietHours(time(22), time(7))  # wraps midnight
    assert night.release_time(day.replace(hour=7), UTC) == day.replace(hour=7)
    assert night.release_time(day.replace(hour=22), UTC) == day.replace(hour=7) + timedelta(days=1)


def test_a_release_is_given_in_the_zone_of_the_time_it_was_asked_at() -> None:
    plus_one = timezone(timedelta(hours=1))
    late = datetime(2026, 11, 23, 23, 0, tzinfo=plus_one)
    release = QuietHours(time(22), time(7)).release_time(late, ZoneInfo("Europe/Paris"))
    assert release == datetime(2026, 11, 24, 7, 0, tzinfo=plus_one)
    assert release.utcoffset() == timedelta(hours=1)
    assert release.tzinfo is plus_one


def test_the_defaults_a_new_customer_starts_with() -> None:
    assert Preferences("c1").opt_ins == {
        Category.TRANSACTIONAL: frozenset({Channel.EMAIL, Channel.IN_APP, Channel.PUSH}),
        Category.MARKETING: frozenset(),  # marketing is opt-in
    }
    assert Contact("c1", locale="en-IE").time_zone == "Europe/Dublin"
    assert Contact("c1", locale="en-GB").time_zone == "Europe/London"
    assert Contact("c1").time_zone == "America/New_York"
