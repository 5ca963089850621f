"""The catalogue lists each lifecycle in the order a customer lives it: the messages of one event
(shipped back, then the thank-you note) and of events at the same instant are shown in that
order (message_planning ranks them by catalogue position). The claim steps are those of
warranty-policy.md "Service promises": claim received, decision, RMA and form, item received,
repair or replacement under way, shipped back with tracking, delivered, and a thank-you note;
then the order steps of cross-border.md, the return steps of carts-and-returns.md, and the
waiting list."""

from __future__ import annotations

from services.notifications.domain.messages import CATALOGUE

LIFECYCLES = [
    # a claim
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
    # an order
    "order_placed",
    "order_confirmed",
    "order_shipped",
    "order_delivered",
    "order_failed",
    "order_cancelled",
    "order_refunded",
    # a return
    "return_requested",
    "return_received",
    "return_refunded",
    "return_cancelled",
    "return_expired",
    # the waiting list
    "waitlist_available",
]


def test_the_catalogue_lists_each_lifecycle_in_order() -> None:
    assert list(CATALOGUE) == LIFECYCLES


def test_a_shipped_back_item_is_announced_before_the_thank_you_note() -> None:
    names = list(CATALOGUE)
    assert names.index("claim_shipped_back") < names.index("claim_thank_you")
    assert names.index("claim_submitted") < names.index("claim_approved")
    assert names.index("order_placed") < names.index("order_shipped")
