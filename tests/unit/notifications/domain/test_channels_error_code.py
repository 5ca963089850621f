"""What a failed or uncertain delivery's event says about the error: the code at the head of
the provider's message, never the rest, which may quote the recipient (issue 12: events carry
ids, codes and business facts only; the full text stays on the delivery row for agents)."""

from __future__ import annotations

import pytest

from services.notifications.domain.channels import error_code


@pytest.mark.parametrize(
    ("error", "code"),
    [
        ("SMTPRecipientsRefused: {'m@example.co.uk': (550, b'5.1.1 unknown')}", "SMTPRecipientsRefused"),
        ("sms_invalid_number: +447700900123 is not a mobile", "sms_invalid_number"),
        ("  smtp.timeout-5 after 30 s", "smtp.timeout-5"),
        ("push_token_expired", "push_token_expired"),
    ],
)  # fmt: skip
def test_the_event_keeps_the_code_and_drops_what_follows(error: str, code: str) -> None:
    assert error_code(error) == code


@pytest.mark.parametrize("error", [None, "", "   ", "{'jane@example.com': (550, b'no')}", ": x"])
def test_an_error_with_no_leading_code_is_unknown(error: str | None) -> None:
    """Nothing to name, or a message that starts by quoting an address: only `unknown`."""
    assert error_code(error) == "unknown"


def test_a_code_is_cut_at_64_characters() -> None:
    assert error_code("E" * 100 + ": detail") == "E" * 64
