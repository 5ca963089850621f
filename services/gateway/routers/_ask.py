"""The one body every route shares: ask a service, read its reply as the route's public model.

Errors need no mapping here: the RPC client raises the service's `DomainError` (or
`upstream_timeout` / `upstream_unavailable`) and the app's one handler turns it into
problem+json. What is left is reading the reply as the model the route publishes, which drops
every field the model does not declare (a service adding a field does not publish it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

if TYPE_CHECKING:
    from services.gateway.auth import Principal
    from shared.actor import Actor

Reply = TypeVar("Reply", bound=BaseModel)
Payload = BaseModel | dict[str, Any]


async def ask(
    rpc: Any, subject: str, payload: Payload, actor: Actor | None, reply: type[Reply]
) -> Reply:
    """Call `subject` as `actor` and read the reply as `reply`."""
    return reply.model_validate(await rpc.call(subject, payload, actor=actor))


def read_as(model: type[Reply], items: Sequence[BaseModel]) -> list[Reply]:
    """Re-read a service's list items as the public model (undeclared fields are dropped)."""
    return [model.model_validate(item.model_dump()) for item in items]


def as_seen_by(
    model: type[Reply], data: dict[str, Any], principal: Principal, *, by_agent: str
) -> Reply:
    """Read an object an agent may have acted on: `by_agent` (a flag field of `model`) says
    whether one did, and the agent's own id is shown to agents only (staff ids are not the
    customer's business)."""
    fields = {**data, by_agent: data.get("agent_id") is not None}
    if principal.type != "agent":
        fields["agent_id"] = None  # in the input, not a copy of the validated view: one model built
    return model.model_validate(fields)
