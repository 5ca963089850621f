import json
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.notifications.adapters.webhook_signing import (
    generate_secret,
    sign,
    signed_headers,
    validate_secret,
)
from services.notifications.domain.errors import WebhookSecretError


def _body() -> str:
    return json.dumps({"type": "warranty.claim.approved", "data": {"claim_id": "CLM-1"}})


def test_signature_verifies_with_the_library():
    """A signature verifies with the Standard Webhooks library."""
    secret = generate_secret()
    assert secret.startswith("whsec_")
    headers = signed_headers("evt-1", datetime.now(UTC), _body(), [secret])
    assert headers["webhook-id"] == "evt-1"
    assert headers["webhook-signature"].startswith("v1,")
    assert Webhook(secret).verify(_body(), headers) == json.loads(_body())


def test_both_signatures_sent_during_rotation_and_each_verifies():
    """During a rotation both signatures are sent, and each verifies."""
    old, new = generate_secret(), generate_secret()
    headers = signed_headers("evt-2", datetime.now(UTC), _body(), [old, new])
    parts = headers["webhook-signature"].split(" ")
    assert len(parts) == 2 and all(p.startswith("v1,") for p in parts)
    Webhook(old).verify(_body(), headers)
    Webhook(new).verify(_body(), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(generate_secret()).verify(_body(), headers)


def test_tampered_body_fails():
    """A tampered body fails verification."""
    secret = generate_secret()
    headers = signed_headers("evt-3", datetime.now(UTC), _body(), [secret])
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(_body().replace("CLM-1", "CLM-2"), headers)


def test_timestamp_is_unix_seconds_of_a_utc_instant():
    """The timestamp is Unix seconds of a UTC instant."""
    from zoneinfo import ZoneInfo

    secret = generate_secret()
    local = datetime(2026, 11, 23, 7, 0, tzinfo=ZoneInfo("America/New_York"))
    utc = local.astimezone(UTC)
    assert sign("m", local, "{}", [secret]) == sign("m", utc, "{}", [secret])
    assert signed_headers("m", local, "{}", [secret])["webhook-timestamp"] == str(
        int(utc.timestamp())
    )


def test_secret_validation():
    """A secret must be a whsec_ value the library accepts, and signing needs at least one."""
    assert validate_secret(generate_secret())
    with pytest.raises(WebhookSecretError):
        validate_secret("plainsecret")
    with pytest.raises(WebhookSecretError):
        validate_secret("whsec_")
    with pytest.raises(WebhookSecretError):
        sign("m", datetime.now(UTC), "{}", [])
