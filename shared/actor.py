"""Who is asking: the one name for the caller in every service and in the gateway.

The gateway builds an `Actor` from the verified token or API key and sends it in the `X-Actor`
header of every request (`shared.rpc`); a service's entry point reads it back and hands the same
object to its use cases, which decide what the caller may see and do.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Actor(BaseModel):
    """Who performs an operation; recorded with every state change."""

    model_config = ConfigDict(frozen=True)

    type: Literal["customer", "agent", "partner", "system"]
    id: str = Field(min_length=1, max_length=200)
    on_behalf_of: str | None = Field(
        default=None, description="Customer id an agent or partner acts for."
    )

    @property
    def customer_id(self) -> str | None:
        """The customer whose objects this actor may touch (None: any, for agents/system)."""
        if self.type == "customer":
            return self.id
        return self.on_behalf_of

    def header(self) -> str:
        return self.model_dump_json(exclude_none=True)


SYSTEM_ACTOR = Actor(type="system", id="system")
