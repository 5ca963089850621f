"""Money and dates read the way each locale writes them."""

from __future__ import annotations

from services.web.formatting import count, day, moment, money, probability, share


def test_money_in_each_locale() -> None:
    assert money("95.82", "GBP", "en-GB") == "£95.82"
    assert money("1234.5", "USD", "en-US") == "$1,234.50"
    assert money(None, "GBP", "en-GB") == ""


def test_days_in_each_locale() -> None:
    assert day("2026-12-12", "en-GB") == "12 December 2026"
    assert day("2026-12-12", "en-US") == "December 12, 2026"


def test_moments_in_the_locale_zone() -> None:
    # 23:30 UTC is still the same day in New York, already 23:30 in London (GMT in December).
    assert moment("2026-12-05T23:30:00+00:00", "en-GB") == "5 Dec 2026, 23:30 GMT"
    assert moment("2026-12-05T23:30:00+00:00", "en-US") == "Dec 5, 2026, 6:30\u202fPM EST"


def test_moments_name_summer_time() -> None:
    assert moment("2026-07-01T12:00:00Z", "en-GB") == "1 Jul 2026, 13:00 BST"
    assert moment("2026-07-01T12:00:00Z", "en-US") == "Jul 1, 2026, 8:00\u202fAM EDT"


def test_analytics_figures_in_each_locale() -> None:
    """Shares, counts and p-values: grouped as each locale writes them, a missing figure is a
    dash (never 0), and a tiny p-value stays readable instead of rounding to 0."""
    assert share(0.0123, "en-GB") == "1.23%" and share(None, "en-US") == "\u2013"
    assert count(1234567, "en-US") == "1,234,567" and count(12.5, "en-GB") == "12.5"
    assert probability(0.0432, "en-GB") == "0.043"
    assert probability(3.2e-7, "en-US") == "3.2E-7"
