"""Words for the codes the API returns, in the notifications' wording, so a customer reads the
same sentence on the page as in the email about the same step."""

from __future__ import annotations

CLAIM_STATUS = {
    "submitted": "Received: we'll let you know our decision shortly",
    "approved": "Approved: your RMA follows",
    "rejected": "Not accepted",
    "needs_review": "An agent is reviewing it. No action needed",
    "awaiting_item": "RMA issued: print the form and post your item",
    "received": "Arrived at our repair centre",
    "inspecting": "Being inspected at the repair centre",
    "repairing": "Repair has started",
    "replacing": "We're replacing your item",
    "shipped_back": "On its way back to you",
    "delivered": "Delivered: the claim is complete",
    "closed": "Closed",
    "lapsed": "RMA expired: you can open a new claim",
    "cancelled": "Cancelled",
}

ORDER_STATUS = {
    "pending": "Received",
    "payment_authorized": "Payment authorised",
    "stock_reserved": "Stock reserved",
    "shipment_created": "Shipment booked",
    "confirmed": "Confirmed",
    "shipped": "Shipped",
    "delivered": "Delivered",
    "cancelled": "Cancelled",
    "failed": "Could not be completed",
    "compensating": "Undoing the earlier steps",
    "refunded": "Refunded",
}

SLA = {
    "not_started": "Not started (the week starts when the item arrives)",
    "on_track": "On track",
    "at_risk": "At risk",
    "breached": "Late",
    "met": "Met",
    "missed": "Missed",
}

# A message's delivery state, for the agent reading a customer's messages.
MESSAGE_STATUS = {
    "pending": "Waiting to send",
    "sending": "Being handed over",
    "sent": "Sent",
    "delivered": "Delivered",
    "failed": "Failed",
    "uncertain": "Held: the hand-over broke off (settle it under Queue > Held messages)",
}

# The buttons an agent sees for `allowed_actions`; actions the system takes itself
# (flag, issue_rma, close, lapse) have no button.
AGENT_ACTIONS = {
    "approve": "Approve",
    "reject": "Reject",
    "receive": "Record receipt",
    "start_inspection": "Start inspection",
    "start_repair": "Repair with parts",
    "start_replacement": "Replace the item",
    "issue_store_credit": "Settle with store credit",
    "ship_back": "Ship back with tracking",
    "deliver": "Record delivery",
    "cancel": "Cancel the claim",
}

OFFER_KIND = {
    "local": "Ships from your region",
    "cross_region": "Ships from another region",
    "unavailable": "Not available in your region",
}

LINE_KIND = {
    "goods": "Goods",
    "shipping": "Shipping",
    "duty": "Import duty",
    "vat": "VAT",
    "vat_included": "VAT (included)",
}

# The console's formats, by the names people choose them by (sign-in, the switch, Settings, and
# what an agent reads on a customer's page).
LOCALE_NAMES = {"en-GB": "English (UK)", "en-IE": "English (Ireland)", "en-US": "English (US)"}

# Who pays duties and taxes at the border (`customs.incoterm`); the API always sends DDP.
INCOTERMS = {"DDP": "duties and taxes paid at checkout (DDP)"}

COMPONENTS = ("handles", "straps", "piping", "stitching", "zips", "hardware", "lining",
              "edge_paint")  # fmt: skip
CAUSES = ("manufacturing_defect", "wear", "accident", "water", "heat", "alteration", "lost_parts")
REGIONS = ("UK", "US", "EU")
CHANNELS = ("email", "sms", "push", "in_app")


def words(code: str | None) -> str:
    """A readable form of a snake_case code with no entry above ('edge_paint' -> 'Edge paint')."""
    return (code or "").replace("_", " ").capitalize()


def message_status(code: str) -> str:
    return MESSAGE_STATUS.get(code, words(code))


def error_type(error: str | None) -> str:
    """The kind of a delivery error ('SMTPServerDisconnected'), never the text after it, which
    may quote an address."""
    return (error or "").split(":", 1)[0]


def claim_status(code: str) -> str:
    return CLAIM_STATUS.get(code, words(code))


def order_status(code: str) -> str:
    return ORDER_STATUS.get(code, words(code))


TAX_TREATMENT = {
    "none": "No VAT or duty applies.",
    "prices_include_vat": "UK/EU listing: the price includes VAT.",
    "low_value_vat": "UK low-value goods (£135 or less): VAT is charged at checkout, "
    "no import duty, nothing to pay at the door.",
    "duty_and_import_vat": "Goods over £135: import duty and import VAT are paid at checkout "
    "(delivered duty paid), nothing to pay at the door.",
}

# How each parcel of a cart is taxed (the cart quote's `treatment`, one per warehouse).
SHIPMENT_TREATMENT = {
    "local": "Sent within your region: local prices, VAT included, no customs.",
    "low_value_vat": "Imported, £135 or less: VAT charged at checkout, no duty.",
    "ddp_import": "Imported, over £135: duty and import VAT paid at checkout "
    "(delivered duty paid), nothing to pay at the door.",
    "untaxed_import": "Imported into a region where no VAT or duty is collected at checkout.",
}

PARCEL_STATUS = {
    "booked": "Booked with the carrier",
    "in_transit": "On its way",
    "delivered": "Delivered",
    "cancelled": "Cancelled",
}

# What a failed order's `advice_code` lets the customer do next (all start from the catalogue).
ADVICE = {
    "use_another_card": "Order again with another card",
    "try_again_later": "Try again in a few minutes",
    "join_waitlist": "Join the waitlist",
    "request_new_quote": "Get a new quote",
    "contact_support": "Choose another option",
}

# What the test payment service understands; a real storefront puts its card widget here.
TEST_CARDS = {"tok_ok": "Test card (approved)", "tok_declined": "Test card (declined)"}


def agent_claim_status(code: str) -> str:
    """Agents read the state itself ('Needs review'), not the customer's reassurance."""
    return words(code)


# Why a customer sends something back (the API's reason codes). Not `faulty`: the API refuses
# it (`return_faulty_use_warranty`), a faulty item is a warranty claim, and the form says so.
RETURN_REASONS = {
    "changed_mind": "Changed my mind",
    "wrong_size_or_fit": "Wrong size or fit",
    "not_as_pictured": "Not as pictured",
}
