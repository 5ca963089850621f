"""Webhook signing secrets are sealed at rest and opened only with the configured keys."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from services.notifications.adapters.secret_box import (
    LOCAL_ONLY_KEY,
    SEALED_PREFIX,
    SecretBox,
    SecretUnreadable,
)
from services.notifications.settings import Settings

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def key() -> str:
    return Fernet.generate_key().decode()


def test_sealed_value_hides_the_secret_and_opens_back():
    """A sealed value does not contain the secret and opens back to it."""
    box = SecretBox([key()])
    sealed = box.seal(SECRET)
    assert sealed.startswith(SEALED_PREFIX) and SECRET not in sealed
    assert box.open(sealed) == SECRET
    assert box.seal(SECRET) != sealed  # random IV: equal secrets do not show as equal


def test_a_rotated_key_list_still_opens_old_values_and_seals_with_the_new_key():
    """After a key rotation old values still open, and new ones are sealed with the new key."""
    old, new = key(), key()
    sealed_before = SecretBox([old]).seal(SECRET)
    rotated = SecretBox([new, old])
    assert rotated.open(sealed_before) == SECRET
    assert SecretBox([new]).open(rotated.seal(SECRET)) == SECRET
    with pytest.raises(SecretUnreadable):
        SecretBox([new]).open(sealed_before)  # old key dropped too early: refuse, never guess


def test_rows_written_before_sealing_are_read_as_they_are():
    """Values stored before sealing existed are read as they are."""
    assert SecretBox([key()]).open(SECRET) == SECRET


def test_malformed_keys_are_refused_with_a_hint():
    """Malformed keys are refused with a hint on how to make one."""
    with pytest.raises(ValueError, match="Fernet key"):
        SecretBox(["not-a-key"])
    with pytest.raises(ValueError):
        SecretBox([])


def test_settings_check_keys_at_start_up(monkeypatch):
    """Settings check the keys at start-up, not at first use."""
    monkeypatch.setenv("NOTIFICATIONS_WEBHOOK_SECRET_KEYS", "nope")
    with pytest.raises(ValidationError, match="Fernet key"):
        Settings()
    monkeypatch.setenv("NOTIFICATIONS_WEBHOOK_SECRET_KEYS", f"{key()}, {key()}")
    assert Settings().secret_box.open(Settings().secret_box.seal(SECRET)) == SECRET


def test_production_refuses_the_local_only_key(monkeypatch):
    """Production refuses the local-only key."""
    monkeypatch.setenv("NOTIFICATIONS_ENV", "production")
    with pytest.raises(ValidationError, match="local-only key"):
        Settings()
    monkeypatch.setenv("NOTIFICATIONS_WEBHOOK_SECRET_KEYS", f"{key()},{LOCAL_ONLY_KEY}")
    with pytest.raises(ValidationError, match="local-only key"):
        Settings()
    monkeypatch.setenv("NOTIFICATIONS_WEBHOOK_SECRET_KEYS", key())
    assert Settings().env == "production"


def test_a_settings_error_never_prints_the_values(monkeypatch):
    """A settings error never prints the key values."""
    monkeypatch.setenv("NOTIFICATIONS_WEBHOOK_SECRET_KEYS", "notakey-but-secret-ish-123")
    monkeypatch.setenv("NOTIFICATIONS_SMTP_PASSWORD", "hunter2-hunter2")
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert "secret-ish" not in str(refused.value) and "hunter2" not in str(refused.value)
