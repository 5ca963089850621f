"""The in-app inbox, the message log, held messages and the thank-you card."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from shared.contracts.bounds import (
    IdStr,
)
from shared.contracts.notifications.subjects import ChannelName, _Strict

# Inbox and message log ----------------------------------------------------------------------


class _NewestFirstPage(_Strict):
    """Keyset paging over (created_at desc, id): pass the last item's time and id back."""

    before: AwareDatetime | None = Field(
        default=None, description="Page: items created before this."
    )
    before_id: str | None = Field(
        default=None,
        max_length=64,
        description="Page: with `before`, items created at that instant sorting after this id.",
    )


class ListInboxRequest(_NewestFirstPage):
    customer_id: IdStr | None = None
    unread_only: bool = False
    limit: int = Field(default=50, ge=1, le=200)


class InboxItem(BaseModel):
    """One message in the customer's in-app inbox."""

    id: str = Field(description="Inbox item id.")
    kind: str = Field(description="Message kind.", examples=["claim_rma_issued"])
    title: str = Field(description="Headline.")
    body: str = Field(description="The message, as text.")
    created_at: datetime = Field(description="When it arrived.")
    read_at: datetime | None = Field(default=None, description="When it was read; null if unread.")
    claim_id: str | None = Field(default=None, description="Claim it is about, if any.")
    order_id: str | None = Field(default=None, description="Order it is about, if any.")


class InboxPage(BaseModel):
    items: list[InboxItem]
    unread: int = Field(description="Unread items in the whole inbox.")


class MarkReadRequest(_Strict):
    item_id: IdStr
    customer_id: IdStr | None = None


class MessageView(BaseModel):
    """One message on one channel and what happened to it."""

    message_id: str = Field(description="Message id.")
    kind: str = Field(description="Message kind.", examples=["claim_rma_issued"])
    channel: ChannelName = Field(description="Channel it goes out on.")
    status: Literal["pending", "sending", "sent", "delivered", "failed", "uncertain"] = Field(
        description="`uncertain`: held for an agent after an interrupted hand-over.",
        examples=["sent"],
    )
    attempts: int = Field(description="Hand-overs to the provider so far.")
    subject: str = Field(description="Subject line (or title).")
    created_at: datetime = Field(description="When the message was created.")
    send_at: datetime = Field(description="When it is (or was) due to go out.")
    sent_at: datetime | None = Field(default=None, description="When the provider accepted it.")
    last_error: str | None = Field(default=None, description="Last provider error, if any.")


class MessageLogEntry(MessageView):
    """One message on one channel, with the event that caused it (not published over HTTP)."""

    source_event_id: str = Field(description="Id of the event that caused the message.")
    source_event_type: str = Field(description="Type of the event that caused the message.")


class ListMessagesRequest(_NewestFirstPage):
    customer_id: IdStr | None = None
    limit: int = Field(default=100, ge=1, le=500)


class MessageLog(BaseModel):
    messages: list[MessageLogEntry]


class HeldMessageView(MessageView):
    """A message whose hand-over to the provider broke off unanswered: it may or may not have
    gone out, so it is not sent again until an agent decides."""

    customer_id: str = Field(description="The customer it was for.")
    address: str = Field(description="Where it was going: email address, phone or device token.")


class HeldMessage(HeldMessageView, MessageLogEntry):
    """A message whose hand-over was interrupted, waiting for an agent's decision."""


class ListHeldMessagesRequest(_NewestFirstPage):
    limit: int = Field(default=100, ge=1, le=500)


class HeldMessages(BaseModel):
    messages: list[HeldMessage]


class ResolveHeldMessageRequest(_Strict):
    message_id: str = Field(max_length=64)
    outcome: Literal["sent", "resend"] = Field(
        description="`sent`: the provider's records show it went out; `resend`: it did not."
    )


class ThankYouCardRequest(_Strict):
    claim_id: IdStr


class ThankYouCardReply(BaseModel):
    claim_id: str
    filename: str
    pdf_base64: str = Field(description="The printable card (application/pdf), base64.")
