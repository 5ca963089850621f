"""Money and dates read the way each locale writes them."""

from __future__ import annotations

from services.web.formatting import day, moment, money


def test_money_in_each_locale() -> None:
    assert money("95.82", "GBP", "en-GB") == "£95.82"
    assert money("1234.5", "USD", "en-US") == "$1,234.50"
    assert money(None, "GBP", "en-GB") == ""


def test_days_in_each_locale() -> None:
    assert day("2026-12-12", "en-GB") == "12 December 2026"
    assert day("2026-12-12", "en-US") == "December 12, 2026"


def test_moments_in_the_locale_zone() -> None:
    # 23:30 UTC is still the same day in New York, already 23:30 in London (GMT in December).
    assert moment("2026-12-05T23:30:00+00:00", "en-GB") == "5 Dec 2026, 23:30"
    assert moment("2026-12-05T23:30:00+00:00", "en-US").startswith("Dec 5, 2026, 6:30")
