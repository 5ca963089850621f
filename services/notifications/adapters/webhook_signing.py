"""Standard Webhooks signing with the `standardwebhooks` library (no home-made HMAC).

Headers: `webhook-id` (stable across retries, so partners can deduplicate), `webhook-timestamp`
(unix seconds of this attempt) and `webhook-signature` (`v1,<base64>`; during a secret rotation
one entry per active secret, separated by spaces, so partners may verify with either).
"""

from __future__ import annotations

import base64
import secrets as _secrets
from collections.abc import Sequence
from datetime import UTC, datetime

from standardwebhooks.webhooks import EmptyWebhookSecretError, Webhook

from ..domain.errors import WebhookSecretError

SECRET_PREFIX = "whsec_"


def generate_secret(num_bytes: int = 32) -> str:
    """A fresh signing secret in the `whsec_<base64>` form the library (and partners) expect."""
    return SECRET_PREFIX + base64.b64encode(_secrets.token_bytes(num_bytes)).decode()


def _webhook(secret: str) -> Webhook:
    try:
        return Webhook(secret)
    except (EmptyWebhookSecretError, ValueError, RuntimeError) as exc:
        raise WebhookSecretError("signing secret is not a valid whsec_ secret") from exc


def validate_secret(secret: str) -> str:
    if not secret.startswith(SECRET_PREFIX):
        raise WebhookSecretError("signing secret must start with whsec_")
    _webhook(secret)
    return secret


def sign(msg_id: str, timestamp: datetime, body: str, secrets: Sequence[str]) -> str:
    """The `webhook-signature` header value: one `v1,...` per secret, space-separated."""
    if not secrets:
        raise WebhookSecretError("no active signing secret")
    # The library reads the timestamp's wall clock as UTC: hand it a UTC datetime.
    ts = timestamp.astimezone(UTC)
    return " ".join(_webhook(s).sign(msg_id, ts, body) for s in secrets)


def signed_headers(
    msg_id: str, timestamp: datetime, body: str, secrets: Sequence[str]
) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(timestamp.astimezone(UTC).timestamp())),
        "webhook-signature": sign(msg_id, timestamp, body, secrets),
        "content-type": "application/json",
    }
