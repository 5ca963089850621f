"""Edges of message routing the catalogue tests leave open: the unknown kind's details, quiet
hours for a customer whose contact is not known (the window is read in UTC), and the refusal of
a time without a zone."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from services.notifications.domain.channels import Category, Channel
from services.notifications.domain.errors import UnknownMessageKind
from services.notifications.domain.messages import CATALOGUE, message_kind, route
from services.notifications.domain.preferences import Preferences, QuietHours


def test_an_unknown_kind_names_itself_and_the_known_kinds() -> None:
    with pytest.raises(UnknownMessageKind, match="unknown message kind 'claim_exploded'") as err:
        message_kind("claim_exploded")
    assert err.value.details == {"kind": "claim_exploded", "known": sorted(CATALOGUE)}
    assert message_kind("order_shipped") is CATALOGUE["order_shipped"]


def test_quiet_hours_without_a_known_contact_are_read_in_utc() -> None:
    prefs = Preferences(
        "c1",
        opt_ins={Category.TRANSACTIONAL: {Channel.EMAIL, Channel.SMS}},
        quiet_hours=QuietHours(time(22), time(7)),
    )
    late = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    by_channel = {d.channel: d.send_at for d in route("orders.order.shipped", prefs, late)}
    assert by_channel == {
        Channel.EMAIL: late,
        Channel.SMS: datetime(2026, 11, 24, 7, 0, tzinfo=UTC),
    }


def test_routing_refuses_a_time_without_a_zone_and_says_so() -> None:
    with pytest.raises(ValueError, match=r"^now must be timezone-aware$"):
        route("orders.order.shipped", Preferences("c1"), datetime(2026, 1, 1))
