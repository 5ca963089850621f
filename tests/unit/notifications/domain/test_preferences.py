from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from services.notifications.domain.channels import Category, Channel
from services.notifications.domain.errors import (
    InvalidContact,
    InvalidQuietHours,
    TransactionalChannelRequired,
    UnsupportedLocale,
)
from services.notifications.domain.messages import UnknownMessageKind
from services.notifications.domain.preferences import Contact, Preferences, QuietHours
from shared.errors import DomainError


def test_contact_normalises_locale_phone_and_default_zone():
    """Contact details are normalised (locale spelling, phone) and the time zone defaults
    from the locale."""
    contact = Contact("c1", name="Margaret", phone="+44 7700 900-123", locale="en_gb")
    assert contact.locale == "en-GB"
    assert contact.phone == "+447700900123"
    assert contact.time_zone == "Europe/London"
    assert contact.greeting_name == "Margaret"


def test_a_customers_own_time_zone_wins_over_the_locales_default():
    """Quiet hours and send times follow the customer's time zone; the locale only gives the
    default (a British-English customer living in New York is quiet at New York's night)."""
    abroad = Contact("c2", locale="en-GB", time_zone="America/New_York")
    assert abroad.zone == ZoneInfo("America/New_York")
    assert Contact("c3", locale="en-GB").zone == ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"email": "not-an-email"}, "notifications_invalid_email"),
        ({"phone": "07700 900123"}, "notifications_invalid_phone"),
        ({"phone": "+44770090\u0966123"}, "notifications_invalid_phone"),  # a Devanagari zero
        ({"time_zone": "Mars/Olympus"}, "notifications_invalid_time_zone"),
    ],
)
def test_contact_rejects_bad_values_with_stable_codes(kwargs, code):
    """Invalid contact details are refused with stable codes, before anything is stored."""
    with pytest.raises(InvalidContact) as err:
        Contact("c1", **kwargs)
    assert err.value.code == code
    assert isinstance(err.value, DomainError)


def test_unsupported_locale_is_a_domain_error():
    """A locale without templates is a domain error naming the supported ones."""
    with pytest.raises(UnsupportedLocale) as err:
        Contact("c1", locale="fr-FR")
    assert err.value.code == "notifications_unsupported_locale"
    assert "en-GB" in err.value.details["supported"]


def test_reachability_and_recipients():
    """A customer is reachable on a channel only with an address for it; push goes to every
    token."""
    contact = Contact("c1", email="m@example.com", push_tokens=("t1", "t1", " t2 "))
    assert contact.push_tokens == ("t1", "t2")
    assert contact.reachable_on(Channel.EMAIL)
    assert not contact.reachable_on(Channel.SMS)
    assert contact.reachable_on(Channel.IN_APP)
    assert contact.recipients(Channel.PUSH) == ("t1", "t2")
    assert contact.recipients(Channel.IN_APP) == ("c1",)


def test_transactional_cannot_be_switched_off_entirely():
    """Transactional messages keep email or the inbox: they cannot be switched off entirely."""
    with pytest.raises(TransactionalChannelRequired) as err:
        Preferences("c1", opt_ins={Category.TRANSACTIONAL: frozenset({Channel.SMS})})
    assert err.value.code == "notifications_transactional_channel_required"
    # in-app alone is enough
    Preferences("c1", opt_ins={Category.TRANSACTIONAL: {Channel.IN_APP}})


def test_marketing_can_be_switched_off_and_defaults_off():
    """Marketing is opt-in: off by default, and can be switched off completely."""
    prefs = Preferences("c1")
    assert prefs.opt_ins[Category.MARKETING] == frozenset()
    prefs = prefs.with_opt_ins(Category.MARKETING, ["email", "push"])
    assert prefs.opt_ins[Category.MARKETING] == {Channel.EMAIL, Channel.PUSH}
    assert prefs.with_opt_ins(Category.MARKETING, []).opt_ins[Category.MARKETING] == frozenset()


def test_kind_override_follows_the_transactional_rule():
    """A per-kind override of a transactional kind also keeps email or the inbox."""
    with pytest.raises(TransactionalChannelRequired):
        Preferences("c1", kind_overrides={"order_shipped": {Channel.SMS}})
    prefs = Preferences("c1", kind_overrides={"order_shipped": {Channel.SMS, Channel.EMAIL}})
    assert prefs.channels_for("order_shipped", Category.TRANSACTIONAL) == {
        Channel.SMS,
        Channel.EMAIL,
    }


def test_override_for_unknown_kind_is_refused():
    """An override for a kind not in the catalogue is refused."""
    with pytest.raises(UnknownMessageKind):
        Preferences("c1", kind_overrides={"nope": {Channel.EMAIL}})


def test_quiet_hours_validation():
    """Quiet hours that start and end at the same time are refused."""
    with pytest.raises(InvalidQuietHours) as err:
        QuietHours(time(22), time(22))
    assert err.value.code == "notifications_invalid_quiet_hours"


LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")


def test_quiet_hours_wrapping_midnight_defers_to_local_morning():
    """Quiet hours over midnight defer a message to the end of quiet hours, in local time."""
    qh = QuietHours(time(22), time(7))
    # 23:30 UTC on 23 Nov = 23:30 London (GMT) -> 07:00 London next day
    now = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    assert qh.release_time(now, LONDON) == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    # 02:00 UTC = 21:00 New York (EST): not quiet there
    assert qh.release_time(datetime(2026, 11, 24, 2, 0, tzinfo=UTC), NEW_YORK) == datetime(
        2026, 11, 24, 2, 0, tzinfo=UTC
    )
    # 05:00 UTC = 00:00 New York -> 07:00 EST = 12:00 UTC same day
    assert qh.release_time(datetime(2026, 11, 24, 5, 0, tzinfo=UTC), NEW_YORK) == datetime(
        2026, 11, 24, 12, 0, tzinfo=UTC
    )


def test_quiet_hours_in_summer_time():
    """Quiet hours follow the local clock in summer time."""
    qh = QuietHours(time(22), time(7))
    # 22:30 UTC on 1 July = 23:30 BST -> 07:00 BST = 06:00 UTC
    now = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)
    assert qh.release_time(now, LONDON) == datetime(2026, 7, 2, 6, 0, tzinfo=UTC)


def test_quiet_hours_not_wrapping():
    """Quiet hours within one day defer only messages inside them."""
    qh = QuietHours(time(13), time(14))
    now = datetime(2026, 11, 23, 13, 15, tzinfo=UTC)
    assert qh.release_time(now, LONDON) == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    outside = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
    assert qh.release_time(outside, LONDON) == outside


def test_quiet_hours_end_inside_dst_gap_is_never_before_now():
    # Clocks go forward at 01:00 GMT on 29 March 2026 in London; 01:30 local does not exist.
    """A quiet-hours end that falls in a clock change gap never releases a message in the
    past."""
    qh = QuietHours(time(0), time(1, 30))
    now = datetime(2026, 3, 29, 0, 45, tzinfo=UTC)  # 00:45 GMT, inside the window
    released = qh.release_time(now, LONDON)
    assert released >= now
    assert released <= datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


@pytest.mark.parametrize("text", ["20:4\u0aed", "\u0968\u0966:00", "24:00", "7:00", "07:60"])
def test_quiet_hours_accept_only_ascii_clock_times(text):
    """pydantic's regex engine counts any Unicode digit as \\d; the contract spells [0-9] (found
    by the RPC fuzzer: "20:4૭" passed validation and crashed time.fromisoformat)."""
    from pydantic import ValidationError

    from shared.contracts.notifications import QuietHoursModel

    with pytest.raises(ValidationError):
        QuietHoursModel(start=text, end="07:00")
    assert QuietHoursModel(start="22:00", end="07:00").start == "22:00"
