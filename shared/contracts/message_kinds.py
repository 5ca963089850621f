"""The message kinds a customer can receive, and which are transactional (notifications contract).

Published so clients (and the gateway's OpenAPI document) know the keys `kind_overrides` takes
and which kinds obey the transactional rule: email or the in-app inbox must stay on. The
notifications service's catalogue (`services/notifications/domain/messages.py`) is the source;
tests/unit/gateway/test_preferences_body.py proves the two lists agree.
"""

from __future__ import annotations

from typing import Literal, get_args

MessageKindName = Literal[
    "claim_submitted",
    "claim_approved",
    "claim_rejected",
    "claim_needs_review",
    "claim_rma_issued",
    "claim_rma_reminder",
    "claim_lapsed",
    "claim_received",
    "claim_repair_started",
    "claim_replacement_started",
    "claim_sla_apology",
    "claim_shipped_back",
    "claim_delivered",
    "claim_thank_you",
    "claim_store_credit",
    "claim_cancelled",
    "order_placed",
    "order_confirmed",
    "order_shipped",
    "order_delivered",
    "order_failed",
    "order_cancelled",
    "order_refunded",
    "return_requested",
    "return_received",
    "return_refunded",
    "return_cancelled",
    "return_expired",
    "waitlist_available",
]
MESSAGE_KINDS: tuple[str, ...] = get_args(MessageKindName)
# Every kind today is a service message; a marketing kind would be listed in MESSAGE_KINDS only.
TRANSACTIONAL_MESSAGE_KINDS: frozenset[str] = frozenset(MESSAGE_KINDS)
# At least one of these must stay on for transactional messages.
ALWAYS_ON_CHANNELS: tuple[str, ...] = ("email", "in_app")
