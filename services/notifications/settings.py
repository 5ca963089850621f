"""Settings of the notifications service (env prefix `NOTIFICATIONS_`).

Every value has a safe local default; production values come from the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from .adapters.ssrf import TargetPolicy
from .domain.webhooks import RetrySchedule


class NotificationsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore")

    env: Literal["local", "production"] = "local"
    log_format: Literal["console", "json"] = "console"
    nats_url: str = "nats://127.0.0.1:4222"
    database_url: str = "sqlite+aiosqlite:///var/notifications.db"
    health_port: int = 0
    stream_replicas: int = Field(default=1, ge=1, le=5)

    # Mail: "smtp" sends for real; "file" writes .eml files; "console" prints them.
    mail_sink: Literal["smtp", "file", "console"] = "smtp"
    mail_dir: Path = Path("var/mail")
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_start_tls: bool | None = None
    mail_from: str = "Concierge <care@concierge.example>"

    sms_provider: Literal["sandbox"] = "sandbox"
    push_provider: Literal["sandbox"] = "sandbox"

    # Webhooks
    webhook_allow_private_targets: bool = False
    webhook_require_https: bool = False
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_retry_scale: float = Field(default=1.0, gt=0, le=1)
    webhook_secret_rotation_overlap_hours: float = Field(default=24.0, ge=0)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> NotificationsSettings:
        if self.env == "production":
            if self.webhook_allow_private_targets:
                raise ValueError("webhook_allow_private_targets must be false in production")
            if self.webhook_retry_scale != 1.0:
                raise ValueError("webhook_retry_scale compresses retries; only for tests")
        return self

    @property
    def target_policy(self) -> TargetPolicy:
        return TargetPolicy(
            allow_private=self.webhook_allow_private_targets,
            require_https=self.webhook_require_https,
        )

    @property
    def retry_schedule(self) -> RetrySchedule:
        return RetrySchedule(scale=self.webhook_retry_scale)
