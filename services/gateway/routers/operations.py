"""Operations for support agents: the event DLQ (events a consumer gave up on), read and replayed.

The same letters `concierge dlq list|replay` shows an operator, through the public API so the
console (or an agent's own tool) can reach them. The gateway reads the `DLQ` stream with
`shared.messaging.dlq` directly: no service owns it. A letter's payload is never returned (the
reason, ids and times are enough to decide); replaying publishes the original event again.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from nats.errors import Error as NatsError
from nats.js.errors import NotFoundError
from pydantic import BaseModel, Field, ValidationError

from services.gateway.auth import Principal, current_principal
from services.gateway.errors import problem_responses
from services.gateway.limits import InvalidCursor, Page, PageParams, Paging
from services.gateway.models import ResponseModel
from services.gateway.runtime import JetStream
from shared.errors import DomainError, ErrorKind, Forbidden
from shared.messaging.dlq import DeadLetter, get_dead_letter, list_dead_letters, replay_dead_letter
from shared.messaging.streams import is_event_subject

router = APIRouter(prefix="/v1/operations", tags=["operations"])

OPERATIONS_SCOPE = "operations"
# A reason is "<code>: <message>"; the message may quote the event (a validation error echoes
# its input), so only a code-shaped head is published.
REASON_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]{0,63}$")
WHO = (
    "**Who may call:** support agents whose token carries the `operations` scope. Agents without "
    "it get 403 `scope_not_allowed`; customers and partners get 403 `role_not_allowed`."
)
LetterId = Annotated[int, Path(ge=1, le=2**63 - 1, description="`id` from the list.")]


async def require_operations_agent(
    principal: Annotated[Principal, Depends(current_principal)],
) -> Principal:
    if principal.type != "agent":
        raise Forbidden("This operation is for support agents.", code="role_not_allowed")
    if OPERATIONS_SCOPE not in principal.scopes:
        raise Forbidden("This operation needs the `operations` scope.", code="scope_not_allowed")
    return principal


Operator = Annotated[Principal, Depends(require_operations_agent)]


class DeadLetterOut(ResponseModel):
    """An event a consumer gave up on: where it came from, who failed it, why and when."""

    id: int = Field(description="Position in the DLQ; what replay takes.", examples=[7])
    subject: str = Field(description="The event's subject.", examples=["warranty.claim.approved"])
    stream: str = Field(description="The stream it was read from.", examples=["WARRANTY"])
    stream_seq: int = Field(description="The event's position in its own stream.", examples=[42])
    consumer: str = Field(
        description="The consumer that gave up.", examples=["notifications-warranty"]
    )
    reason: str = Field(
        description="What went wrong, as a code (`malformed_event`, `max_deliveries`, an error "
        "type). The full message may quote the event's body, so only operators read it "
        "(`concierge dlq list`).",
        examples=["malformed_event"],
    )
    deliveries: int = Field(
        description="Times the consumer tried it before giving up.", examples=[1]
    )
    failed_at: str = Field(description="ISO 8601, UTC.", examples=["2026-12-05T01:52:00+00:00"])
    event_id: str | None = Field(description="The CloudEvent id, when it had one.")
    replayable: bool = Field(description="False when its subject is no event stream's.")


class Cursor(BaseModel):
    after_id: int = Field(ge=0)


def _out(letter: DeadLetter) -> DeadLetterOut:
    summary = letter.summary()
    head = summary["reason"].split(":", 1)[0].strip()
    summary["reason"] = head if REASON_CODE.match(head) else "unknown"
    return DeadLetterOut(**summary, replayable=is_event_subject(letter.original_subject))


def _after(paging: PageParams) -> int:
    try:
        return Cursor.model_validate(paging.after or {"after_id": 0}).after_id
    except ValidationError as exc:
        raise InvalidCursor("The cursor is not one this API returned.") from exc


@router.get(
    "/dead-letters",
    response_model=Page[DeadLetterOut],
    responses=problem_responses(401, 403, 404, 503),
    summary="Events a consumer gave up on (the DLQ), oldest first",
    description="Ids, subjects, consumers, reasons and times; never the event's body.\n\n" + WHO,
)
async def list_letters(principal: Operator, js: JetStream, paging: Paging) -> Page[Any]:
    letters = await _unavailable_on_nats_error(list_dead_letters(js, paging.limit, _after(paging)))
    items = [_out(letter) for letter in letters]
    full = len(items) == paging.limit
    return Page.of(items, {"after_id": items[-1].id} if items and full else None)


@router.post(
    "/dead-letters/{letter_id}/replay",
    response_model=DeadLetterOut,
    responses=problem_responses(401, 403, 404, 422, 503),
    summary="Publish a dead-lettered event again and take it out of the DLQ",
    description=(
        "The event goes back on its own subject with a message id derived from the letter, so a "
        "repeat within the stream's duplicate window is dropped by JetStream, and consumers that "
        "already applied it skip it. A letter already replayed is gone: 404 "
        "`dead_letter_not_found`. A letter whose subject no event stream captures is refused "
        "with 422 `dead_letter_not_replayable` and stays in the DLQ.\n\n" + WHO
    ),
)
async def replay_letter(letter_id: LetterId, principal: Operator, js: JetStream) -> DeadLetterOut:
    try:
        letter = await _unavailable_on_nats_error(get_dead_letter(js, letter_id))
    except NotFoundError as exc:
        raise DomainError(
            "No such dead letter (it may have been replayed already).",
            code="dead_letter_not_found",
            kind=ErrorKind.NOT_FOUND,
        ) from exc
    if not is_event_subject(letter.original_subject):
        raise DomainError(
            "This letter's subject is no event stream's: replaying it would lose it.",
            code="dead_letter_not_replayable",
            kind=ErrorKind.INVALID,
            details={"subject": letter.original_subject[:200]},
        )
    await _unavailable_on_nats_error(replay_dead_letter(js, letter_id))
    return _out(letter)


async def _unavailable_on_nats_error(call: Any) -> Any:
    try:
        return await call
    except NotFoundError:
        raise
    except (NatsError, TimeoutError) as exc:
        raise DomainError(
            "The event bus did not answer.", code="upstream_unavailable", kind=ErrorKind.UNAVAILABLE
        ) from exc
