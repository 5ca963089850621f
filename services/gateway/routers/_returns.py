"""Returns and exchanges: start a return of a delivered order, read it, follow it live.

Part of the orders router (routers/orders.py includes it, under its prefix and tag). Customers
return their own orders (someone else's order is 404); agents act for a customer by naming
them (`customer_id`), and the orders service records the agent with the return.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path
from pydantic import ConfigDict, Field

from services.gateway.auth import (
    Agent,
    CustomerIdQuery,
    CustomerOrAgent,
    Principal,
    acting_customer,
)
from services.gateway.errors import problem_responses
from services.gateway.idempotency import request_idempotency_key
from services.gateway.limits import Page, Paging
from services.gateway.models import RequestModel
from services.gateway.routers._ask import as_seen_by
from services.gateway.runtime import Rpc
from services.gateway.sse import Streams
from services.gateway.sse_docs import RETURN_EVENTS_RESPONSE, STREAM_ERRORS
from shared.contracts import orders as c

router = APIRouter()
Id = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")]
READ_ERRORS = problem_responses(401, 404, 422, 503, 504)
WRITE_ERRORS = problem_responses(401, 404, 409, 422, 503, 504)


class ReturnView(c.ReturnView):
    """A return; `agent_id` is shown to agents only."""

    started_by_agent: bool = Field(description="An agent started it on the customer's behalf.")


def _refund_or_exchange(schema: dict[str, Any]) -> None:
    """Publish the body's rule: a refund names no exchange fields; an exchange names both the
    style wanted and what happens if the parcel never arrives (else 422
    `return_exchange_incomplete`)."""
    schema["anyOf"] = [
        {"properties": {"resolution": {"const": "refund"}, "exchange_style": {"type": "null"},
                        "if_not_returned": {"type": "null"}}},
        {"required": ["resolution", "exchange_style", "if_not_returned"],
         "properties": {"resolution": {"const": "exchange"}, "exchange_style": {"type": "string"},
                        "if_not_returned": {"type": "string"}}},
    ]  # fmt: skip


class ReturnBody(RequestModel):
    model_config = ConfigDict(json_schema_extra=_refund_or_exchange)

    lines: list[c.ReturnLineIn] = Field(
        min_length=1,
        max_length=20,
        description="Lines to return (style, units, reason code).",
        examples=[[{"style": "VT02", "quantity": 1, "reason": "changed_mind"}]],
    )
    resolution: Literal["refund", "exchange"] = Field(
        default="refund", description="Money back, or another style instead."
    )
    exchange_style: str | None = Field(
        default=None, min_length=2, max_length=16, pattern=r"^[A-Za-z0-9]+$", examples=["VT01"],
        description="Exchanges: the style wanted instead.",
    )  # fmt: skip
    if_not_returned: Literal["charge", "cancel"] | None = Field(
        default=None,
        description="Exchanges: if the parcel never arrives within 30 days, charge the new "
        "item in full or cancel the exchange.",
    )
    customer_id: str | None = Field(
        default=None, max_length=64, description="Agents only: the customer acted for."
    )


def _view(data: dict[str, Any], principal: Principal) -> ReturnView:
    return as_seen_by(ReturnView, data, principal, by_agent="started_by_agent")


@router.post("/orders/{order_id}/returns", status_code=201, response_model=ReturnView,
             responses=WRITE_ERRORS,
             summary="Return delivered lines for a refund, or exchange them (free label)")  # fmt: skip
async def request_return(
    order_id: Id,
    body: ReturnBody,
    principal: CustomerOrAgent,
    rpc: Rpc,
    request_id: Annotated[str | None, Depends(request_idempotency_key)],
) -> ReturnView:
    """The refund is computed by the rule (what was paid minus what the kept lines cost quoted
    alone) and paid back once the carrier scans the parcel in. A faulty item is refused with
    `return_faulty_use_warranty`: open a warranty claim instead."""
    acting = acting_customer(principal, body.customer_id)
    request = c.RequestReturnRequest(
        order_id=order_id,
        lines=body.lines,
        resolution=body.resolution,
        exchange_style=body.exchange_style,
        if_not_returned=body.if_not_returned,
        request_id=request_id,
    )
    data = await rpc.call(c.Subjects.REQUEST_RETURN, request, actor=acting.actor)
    return _view(data, principal)


@router.get("/orders/{order_id}/returns", response_model=Page[ReturnView],
            responses=READ_ERRORS, summary="The returns of one of your orders")  # fmt: skip
async def list_returns(
    order_id: Id,
    principal: CustomerOrAgent,
    rpc: Rpc,
    paging: Paging,
    customer_id: CustomerIdQuery = None,
) -> Page[ReturnView]:
    acting = reader(principal, customer_id)
    payload = {"order_id": order_id, "limit": paging.limit, "after": paging.after}
    data = await rpc.call(c.Subjects.LIST_RETURNS, payload, actor=acting)
    items = [_view(x, principal) for x in data["items"]]
    return Page[ReturnView].of(items, data.get("next"))


@router.get("/returns/{return_id}", response_model=ReturnView, responses=READ_ERRORS,
            summary="One return: status, labels and refund breakdown")  # fmt: skip
async def get_return(
    return_id: Id, principal: CustomerOrAgent, rpc: Rpc, customer_id: CustomerIdQuery = None
) -> ReturnView:
    acting = reader(principal, customer_id)
    data = await rpc.call(c.Subjects.GET_RETURN, {"return_id": return_id}, actor=acting)
    return _view(data, principal)


@router.get("/returns/{return_id}/stream",
            responses={200: RETURN_EVENTS_RESPONSE, **STREAM_ERRORS},
            summary="Live return events (Server-Sent Events; resumes with Last-Event-ID)")  # fmt: skip
async def return_stream(
    return_id: Id,
    principal: CustomerOrAgent,
    rpc: Rpc,
    streams: Streams,
    customer_id: CustomerIdQuery = None,
):  # type: ignore[no-untyped-def]
    acting = reader(principal, customer_id)
    await rpc.call(c.Subjects.GET_RETURN, {"return_id": return_id}, actor=acting)
    return streams.return_(return_id)


def reader(principal: Principal, customer_id: str | None) -> Any:
    """Agents naming no customer read as themselves (they see every return), as for orders."""
    if principal.type == "agent" and customer_id is None:
        return principal.actor()
    return acting_customer(principal, customer_id).actor


@router.post("/returns/{return_id}/cancel", response_model=ReturnView, responses=WRITE_ERRORS,
             summary="Cancel a return before the carrier has the parcel (keep the goods)")  # fmt: skip
async def cancel_return(
    return_id: Id, principal: CustomerOrAgent, rpc: Rpc, customer_id: CustomerIdQuery = None
) -> ReturnView:
    """An exchange's difference already charged is refunded and the new item released.
    Refused with `return_parcel_on_its_way` once the carrier has the parcel."""
    acting = acting_customer(principal, customer_id)
    data = await rpc.call(c.Subjects.CANCEL_RETURN, {"return_id": return_id}, actor=acting.actor)
    return _view(data, principal)


@router.post("/returns/{return_id}/receive", response_model=ReturnView, responses=WRITE_ERRORS,
             summary="Agents (warehouse): the return parcel arrived; the refund follows at once")  # fmt: skip
async def receive_return(return_id: Id, principal: Agent, rpc: Rpc) -> ReturnView:
    """Whichever comes first, the carrier's scan-in or this receipt, moves the return to
    `received`; a second one changes nothing."""
    payload = {"return_id": return_id}
    data = await rpc.call(c.Subjects.RECEIVE_RETURN, payload, actor=principal.actor())
    return _view(data, principal)
