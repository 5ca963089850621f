"""Webhook signing secrets at rest, sealed with Fernet (AES-128-CBC and HMAC-SHA256).

HMAC signing needs the secret itself, so it cannot be stored as a hash like an API key. Sealing
it with a key kept outside the database means a leaked backup or a read-only SQL injection does
not hand out every partner's signing secret.

Keys come from `NOTIFICATIONS_WEBHOOK_SECRET_KEYS` (comma-separated Fernet keys): the first seals,
all of them open. To rotate a key: put the new one first, roll the service, run `concierge notify
reseal-secrets` (re-seals every stored secret with the new key; partners' secrets do not change),
then drop the old key. Values without the `sealed:v1:` prefix are rows written before sealing
existed: they are read as they are, and `reseal-secrets` seals them.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from ..domain.errors import SecretUnreadable

SEALED_PREFIX = "sealed:v1:"
# A well-formed key for local runs and tests only; production refuses it (settings.py).
LOCAL_ONLY_KEY = (
    "bG9jYWwtb25seS13ZWJob29rLXNlY3JldC1rZXkhISE="  # "local-only-webhook-secret-key!!!"
)


class SecretBox:
    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one key is needed")
        try:
            self._fernet = MultiFernet([Fernet(key.strip()) for key in keys])
        except ValueError as exc:
            raise ValueError(
                "each webhook secret key must be a Fernet key: 32 bytes, url-safe base64 "
                '(python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key())")'
            ) from exc

    @classmethod
    def from_setting(cls, value: str) -> SecretBox:
        return cls([k for k in value.split(",") if k.strip()])

    def seal(self, secret: str) -> str:
        return SEALED_PREFIX + self._fernet.encrypt(secret.encode()).decode()

    def reseal(self, stored: str) -> str:
        """The same secret sealed with the first key (a plaintext row gets sealed)."""
        return self.seal(self.open(stored))

    def open(self, stored: str) -> str:
        if not stored.startswith(SEALED_PREFIX):
            return stored  # written before sealing existed
        try:
            return self._fernet.decrypt(stored.removeprefix(SEALED_PREFIX).encode()).decode()
        except InvalidToken as exc:
            # Sealed with a key this process does not have: a configuration error, never a
            # reason to sign with something else.
            raise SecretUnreadable("a webhook signing secret cannot be opened with the "
                                   "configured keys") from exc  # fmt: skip
