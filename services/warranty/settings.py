"""Warranty service settings (`WARRANTY_` environment variables)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
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
        default=None, description="Label photos kept (local blob store; default: data dir)."
    )
    ocr_workers: int = Field(default=2, ge=1, le=16, description="Photos read at the same time.")
    ocr_warmup: bool = Field(
        default=True, description="Load the OCR model at start; /readyz waits for it."
    )
    ocr_warmup_timeout_s: float = Field(
        default=120.0, gt=0, description="Longest /readyz waits for the OCR model to load."
    )
    ocr_read_timeout_s: float = Field(  # under the gateway's 30 s for a photo
        default=20.0, gt=0, le=29, description="Longest a photo waits for the OCR process."
    )
    # Where kept label photos live: a local folder, or an S3-compatible bucket in production.
    blob_store: Literal["local", "s3"] = Field(default="local", description="Photo store kind.")
    blob_bucket: str | None = Field(
        default=None, min_length=3, max_length=63, pattern=r"^[a-z0-9][a-z0-9.-]+[a-z0-9]$",
        description="S3 bucket (required with blob_store=s3).",
    )  # fmt: skip
    blob_endpoint_url: str | None = Field(
        default=None, pattern=r"^https?://", description="S3-compatible endpoint (not AWS)."
    )
    blob_region: str | None = Field(default=None, description="S3 region.")
    blob_prefix: str = Field(default="", max_length=200, description="Key prefix in the bucket.")
    # Keys under the service's own prefix (the configuration contract: one prefix per process);
    # without them boto3's usual chain applies (an instance or pod role, AWS_* variables).
    blob_access_key_id: str | None = Field(
        default=None, min_length=3, max_length=128, description="S3 access key id."
    )
    blob_secret_access_key: SecretStr | None = Field(default=None, description="S3 secret key.")
    photo_retention_s: float = Field(
        default=DAY, gt=0, description="How long a photo no claim took is kept."
    )

    @model_validator(mode="after")
    def _blob_store_is_complete(self) -> Settings:
        if self.blob_store == "s3" and not self.blob_bucket:
            raise ValueError("WARRANTY_BLOB_STORE=s3 needs WARRANTY_BLOB_BUCKET")
        if (self.blob_access_key_id is None) != (self.blob_secret_access_key is None):
            raise ValueError(
                "WARRANTY_BLOB_ACCESS_KEY_ID and WARRANTY_BLOB_SECRET_ACCESS_KEY go together"
            )
        return self

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
