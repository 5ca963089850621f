"""Settings of the notifications service (env prefix `NOTIFICATIONS_`).

Every value has a safe local default; production values come from the environment. Durations
that tests compress (webhook retries, delivery retries, worker polling) live here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.runtime.settings import ServiceSettings, default_data_dir

from .adapters.secret_box import LOCAL_ONLY_KEY, SecretBox
from .adapters.ssrf import TargetPolicy
from .domain.webhooks import RetrySchedule


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="NOTIFICATIONS_", extra="ignore")

    # Mail: "smtp" sends for real; "file" writes .eml files; "console" prints them. "auto" is
    # smtp when an SMTP host is configured (always in production), else file (local runs).
    mail_sink: Literal["auto", "smtp", "file", "console"] = "auto"
    mail_dir: Path | None = None
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=1025, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_start_tls: bool | None = None
    # Per SMTP exchange (connect, each command, the reply to DATA's final dot).
    smtp_timeout_seconds: float = Field(default=15.0, gt=0, le=300)
    mail_from: str = "Concierge <care@concierge.example>"
    sms_provider: Literal["sandbox"] = "sandbox"
    push_provider: Literal["sandbox"] = "sandbox"
    # No gathering window here (`<P>CONSUMER_GATHER_MS`, 30 ms elsewhere): a customer waits on
    # this consumer's in-app messages, and the orders' events come in bursts already (their
    # sagas start together), which form groups without waiting. At 100 orders/s the POST ->
    # message p99 fell by about a third (docs/benchmarks.md, "Issue 14, fifteenth pass").
    consumer_gather_ms: float = Field(default=0.0, ge=0, le=1000)
    # Links in messages (RMA form, tracking) point at the public API.
    public_base_url: str = "http://127.0.0.1:8000"

    # Customer message delivery
    delivery_poll_interval: float = Field(default=0.5, gt=0)
    delivery_max_attempts: int = Field(default=6, ge=1)
    delivery_retry_base_seconds: float = Field(default=30.0, gt=0)
    # How long a message marked `sending` belongs to the worker handing it over. It must outlast
    # a slow hand-over (DATA waits up to two SMTP timeouts), else another replica would take a
    # message still in flight for an interrupted one.
    delivery_lease_seconds: float = Field(default=60.0, gt=0)
    # A hand-over interrupted with no answer from a provider that cannot be asked: "hold" keeps
    # it for an agent (no duplicate, maybe a delay); "resend" sends it again with the same
    # Message-ID (no delay, maybe a duplicate).
    delivery_uncertain: Literal["hold", "resend"] = "hold"

    # Webhooks
    webhook_allow_private_targets: bool = False
    # Production always requires https (see target_policy); this turns it on for local runs too.
    webhook_require_https: bool = False
    webhook_max_endpoints_per_partner: int = Field(default=20, ge=1, le=1000)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0, le=60)
    webhook_retry_scale: float = Field(default=1.0, gt=0, le=1)
    webhook_secret_rotation_overlap_hours: float = Field(default=24.0, ge=0)
    webhook_poll_interval: float = Field(default=0.5, gt=0)
    # Fernet keys sealing webhook signing secrets at rest; the first seals, all open (rotation).
    webhook_secret_keys: str = LOCAL_ONLY_KEY

    @model_validator(mode="after")
    def _lease_outlasts_a_handover(self) -> Settings:
        if self.delivery_lease_seconds < 2 * self.smtp_timeout_seconds:
            raise ValueError(
                "delivery_lease_seconds must be at least twice smtp_timeout_seconds "
                f"({self.delivery_lease_seconds} < 2 x {self.smtp_timeout_seconds})"
            )
        return self

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env == "production":
            if self.webhook_allow_private_targets:
                raise ValueError("webhook_allow_private_targets must be false in production")
            if self.webhook_retry_scale != 1.0:
                raise ValueError("webhook_retry_scale compresses retries; only for tests")
            if LOCAL_ONLY_KEY in self.webhook_secret_keys:
                raise ValueError(
                    "NOTIFICATIONS_WEBHOOK_SECRET_KEYS holds the local-only key; set a key of "
                    "your own in production"
                )
        return self

    @model_validator(mode="after")
    def _keys_are_fernet_keys(self) -> Settings:
        SecretBox.from_setting(self.webhook_secret_keys)  # fail at start-up, not at first use
        return self

    @property
    def resolved_mail_sink(self) -> Literal["smtp", "file", "console"]:
        if self.mail_sink != "auto":
            return self.mail_sink
        if self.env == "production" or "smtp_host" in self.model_fields_set:
            return "smtp"
        return "file"

    @property
    def resolved_mail_dir(self) -> Path:
        return self.mail_dir or default_data_dir() / "mail"

    @property
    def secret_box(self) -> SecretBox:
        return SecretBox.from_setting(self.webhook_secret_keys)

    @property
    def target_policy(self) -> TargetPolicy:
        return TargetPolicy(
            allow_private=self.webhook_allow_private_targets,
            require_https=self.webhook_require_https or self.env == "production",
        )

    @property
    def retry_schedule(self) -> RetrySchedule:
        return RetrySchedule(scale=self.webhook_retry_scale)


NotificationsSettings = Settings  # the name phase 1 used
