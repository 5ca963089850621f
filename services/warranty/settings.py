"""Warranty service settings (`WARRANTY_` environment variables)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.runtime.settings import ServiceSettings

DAY = 86400.0


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WARRANTY_", extra="ignore")

    # Durations are seconds so tests (and demos) can compress days into seconds.
    rma_validity_s: float = Field(default=30 * DAY, gt=0, description="RMA validity.")
    rma_reminder_before_s: float = Field(default=5 * DAY, gt=0, description="Reminder lead time.")
    sla_at_risk_s: float = Field(default=5 * DAY, gt=0, description="At risk after arrival.")
    sla_breach_s: float = Field(default=7 * DAY, gt=0, description="Breached after arrival.")
    timer_sweep_interval_s: float = Field(default=30.0, gt=0, description="Timer sweeper period.")
    orders_rpc_timeout_s: float = Field(default=5.0, gt=0)
    batch_fdr_q: float = Field(default=0.05, gt=0, lt=0.5, description="FDR level of batch flags.")
    batch_min_claims: int = Field(default=5, ge=1, description="Claims before a batch can flag.")
    batch_sweep_interval_s: float = Field(default=3600.0, gt=0, description="Batch re-evaluation.")
    photo_dir: Path | None = Field(
        default=None, description="Label photos kept (default: data dir)."
    )
    ocr_workers: int = Field(default=2, ge=1, le=16, description="Photos read at the same time.")

    @property
    def rma_validity(self) -> timedelta:
        return timedelta(seconds=self.rma_validity_s)

    @property
    def rma_reminder_before(self) -> timedelta:
        return timedelta(seconds=self.rma_reminder_before_s)

    @property
    def sla_at_risk(self) -> timedelta:
        return timedelta(seconds=self.sla_at_risk_s)

    @property
    def sla_breach(self) -> timedelta:
        return timedelta(seconds=self.sla_breach_s)
