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

    @property
    def agent_id(self) -> str | None:
        """The agent acting, if this is one (recorded on what they create for a customer)."""
        return self.id if self.type == "agent" else None

    def may_see(self, owner_id: str) -> bool:
        """Whether an object owned by customer `owner_id` is visible to this actor.

        Agents and the system see every customer's objects unless they act for one customer;
        a customer sees only their own, a partner only those of the customer it acts for.
        """
        if self.type in ("agent", "system"):
            return self.on_behalf_of is None or self.on_behalf_of == owner_id
        return self.customer_id == owner_id


SYSTEM_ACTOR = Actor(type="system", id="system")
