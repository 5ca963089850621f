"""Settings of the orders service (env prefix `ORDERS_`).

Every value has a safe local default. Durations that tests compress (quote lifetime, carrier
schedule, saga sweeps) live here. Providers default to the sandboxes; a real provider would be
another choice here plus its adapter.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.runtime.settings import ServiceSettings


class Settings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ORDERS_", extra="ignore")

    quote_ttl_seconds: float = Field(default=1800.0, gt=0, description="Quotes expire (30 min).")
    # Operator data folder (same file names as services/orders/data); packaged data by default.
    data_dir: Path | None = None
    fx_refresh_interval: float = Field(default=3600.0, gt=0)

    payment_provider: Literal["sandbox"] = "sandbox"
    payment_timeouts_before_success: int = Field(default=1, ge=0)
    payment_attempts: int = Field(default=4, ge=1)
    payment_retry_delay: float = Field(default=0.5, ge=0)

    carrier_provider: Literal["sandbox"] = "sandbox"
    carrier_in_transit_after: float = Field(default=30.0, ge=0, description="Seconds.")
    carrier_delivered_after: float = Field(default=90.0, ge=0, description="Seconds.")
    # Return parcels (sandbox): handed over, then scanned in at the warehouse; empty = never.
    carrier_return_picked_up_after: float | None = Field(default=60.0, ge=0)
    carrier_return_scanned_in_after: float | None = Field(default=180.0, ge=0)
    # Comma-separated destination regions the sandbox carrier refuses (to exercise that path).
    carrier_refuse_destinations: str = ""

    saga_workers: int = Field(default=4, ge=1, le=64)
    saga_sweep_interval: float = Field(default=2.0, gt=0, description="Resume sweep (s).")
    placement_gather_ms: float = Field(
        default=100.0,
        ge=0,
        le=1000,
        description="Placed orders' sagas gathered this long, then started together (ms; 0: at "
        "once).",
    )
    tracking_push_gather_ms: float = Field(
        default=200.0,
        ge=0,
        le=5000,
        description="Tracking pushes gathered this long, then driven together (ms; 0: at once).",
    )
    # The carrier pushes its tracking updates (the sandbox's stand-in for tracking webhooks),
    # so polling only reconciles what a push missed: slowly. A restart needs no poll (the resume
    # reads every open order's tracking and arms its pushes again); a second replica or a lost
    # webhook does. 120 s is longer than the sandbox's parcels wait between moves (30 s, then 60
    # more to delivery), so in the normal flow no poll runs at all: at 45 s every shipped order
    # was polled once for nothing between its two pushes (about 0.2 ms of CPU per order at 100
    # orders/s; docs/benchmarks.md, "Issue 14, seventeenth pass"). A lost push is caught within
    # two minutes, then the polls back off (doubling up to the maximum) while nothing moves.
    tracking_poll_max_interval: float = Field(
        default=600.0, gt=0, description="Longest wait between tracking polls of one order (s)."
    )
    tracking_poll_interval: float = Field(
        default=120.0,
        gt=0,
        description="Seconds to the first reconciliation poll of a confirmed or shipped order.",
    )

    return_sweep_interval: float = Field(default=2.0, gt=0, description="Returns sweep (s).")
    return_poll_interval: float = Field(
        default=5.0, gt=0, description="Seconds between tracking polls of one open return."
    )

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env == "production" and self.quote_ttl_seconds < 60:
            raise ValueError("quote_ttl_seconds below a minute is only for tests")
        return self

    @property
    def refused_destinations(self) -> frozenset[str]:
        return frozenset(
            x.strip() for x in self.carrier_refuse_destinations.split(",") if x.strip()
        )
