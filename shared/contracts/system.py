"""Operations every service answers, whatever its domain."""

from __future__ import annotations

from pydantic import BaseModel, Field


def ping_subject(service: str) -> str:
    return f"rpc.{service}.ping"


class PingReply(BaseModel):
    service: str = Field(description="Service name.")
    instance: str = Field(description="Process instance id (host:pid).")
    database: bool = Field(description="Whether the service's database answered.")
