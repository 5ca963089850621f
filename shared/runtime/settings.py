"""Settings every service shares; each service subclasses with its own env prefix."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Not 4222: a NATS server may already own the standard port on this machine.
DEFAULT_NATS_PORT = 4322
DEFAULT_NATS_URL = f"nats://127.0.0.1:{DEFAULT_NATS_PORT}"


def default_data_dir() -> Path:
    return Path(os.environ.get("CONCIERGE_DATA_DIR", "var")).resolve()


class ServiceSettings(BaseSettings):
    # A failed check must not print the offending values: they may be secrets.
    model_config = SettingsConfigDict(extra="ignore", hide_input_in_errors=True)

    env: Literal["local", "production"] = "local"
    nats_url: str = Field(default=DEFAULT_NATS_URL, description="Comma-separated NATS server URLs.")
    database_url: str = Field(
        default="", description="SQLAlchemy async URL; SQLite file by default."
    )
    health_port: int = Field(
        default=0, ge=0, le=65535, description="HTTP /healthz and /readyz; 0 = off."
    )
    health_host: str = "127.0.0.1"
    listen_fd: int | None = Field(
        default=None,
        ge=0,
        description="A listening socket inherited from `concierge up` (shared/runtime/listen.py); "
        "health_host and health_port then only name it.",
    )
    stream_replicas: int = Field(default=1, ge=1, le=5)
    log_format: Literal["auto", "console", "json"] = "auto"
    log_level: str = "INFO"
    retry_base_delay: float = Field(
        default=0.5, gt=0, description="Consumer retry backoff base (s)."
    )
    consumer_gather_ms: float = Field(
        default=30.0,
        ge=0,
        le=1000,
        description="Under a stream of events, how long a consumer's group gathers from its "
        "first event (ms): larger groups share a transaction; each event waits at most this.",
    )
    consumer_gather_events: int = Field(
        default=4,
        ge=1,
        le=64,
        description="A gathering group stops waiting once it holds this many events.",
    )
    relay_sweep_interval: float = Field(default=1.0, gt=0)
    startup_timeout: float = Field(
        default=300.0,
        gt=0,
        description="How long start-up waits for NATS, the database and JetStream (s).",
    )
    instance: str = Field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")

    def resolved_database_url(self, service: str) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{default_data_dir() / f'{service}.db'}"
