import pytest
from pydantic import ValidationError

from services.notifications.settings import Settings


def test_defaults_are_safe_and_local(monkeypatch):
    """By default: a local run, private webhook targets refused, full retry schedule, mail to
    files."""
    monkeypatch.delenv("NOTIFICATIONS_SMTP_HOST", raising=False)
    settings = Settings()
    assert settings.env == "local"
    assert settings.target_policy.allow_private is False
    assert settings.retry_schedule.scale == 1.0
    assert settings.resolved_mail_sink == "file"


def test_env_overrides(monkeypatch):
    """Settings come from NOTIFICATIONS_* environment variables."""
    monkeypatch.setenv("NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
    monkeypatch.setenv("NOTIFICATIONS_WEBHOOK_RETRY_SCALE", "0.001")
    monkeypatch.setenv("NOTIFICATIONS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("NOTIFICATIONS_SMTP_PORT", "2525")
    settings = Settings()
    assert settings.target_policy.allow_private is True
    assert settings.retry_schedule.scale == 0.001
    assert settings.smtp_port == 2525
    assert settings.resolved_mail_sink == "smtp"


def test_production_refuses_private_targets_and_compressed_retries(monkeypatch):
    """Production refuses private webhook targets and compressed retries."""
    monkeypatch.setenv("NOTIFICATIONS_ENV", "production")
    monkeypatch.setenv("NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE_TARGETS", "true")
    with pytest.raises(ValidationError):
        Settings()


def test_a_delivery_lease_shorter_than_a_handover_is_refused(monkeypatch):
    """A delivery lease shorter than two SMTP timeouts is refused at start-up."""
    monkeypatch.setenv("NOTIFICATIONS_DELIVERY_LEASE_SECONDS", "20")
    monkeypatch.setenv("NOTIFICATIONS_SMTP_TIMEOUT_SECONDS", "15")
    with pytest.raises(ValidationError, match="at least twice smtp_timeout_seconds"):
        Settings()
    monkeypatch.setenv("NOTIFICATIONS_SMTP_TIMEOUT_SECONDS", "10")
    assert Settings().delivery_lease_seconds == 20


def test_uncertain_policy_is_hold_unless_told(monkeypatch):
    """Messages in doubt are held for an agent unless configured to resend."""
    assert Settings().delivery_uncertain == "hold"
    monkeypatch.setenv("NOTIFICATIONS_DELIVERY_UNCERTAIN", "resend")
    assert Settings().delivery_uncertain == "resend"
    monkeypatch.setenv("NOTIFICATIONS_DELIVERY_UNCERTAIN", "maybe")
    with pytest.raises(ValidationError):
        Settings()
