"""The API's problem codes in plain words, for the people reading the console.

The gateway answers every error with problem+json whose `title` is only the HTTP phrase
("Unprocessable Entity"). A support agent on the phone, or a customer, needs to know what happened
and what to do: the page leads with the sentence below, then the API's own `detail`, and keeps
the stable code in small print for support. A code missing here falls back to a sentence for its
HTTP status, never to the bare phrase.
"""

from __future__ import annotations

# Declarative table: code -> what happened, in the reader's words.
PLAIN: dict[str, str] = {
    # Who may do what
    "scope_required": "This needs the operations permission, which your account does not have",
    "scope_not_allowed": "This needs the operations permission, which your account does not have",
    "role_not_allowed": "Your account cannot do this",
    "action_not_allowed": "Your account cannot do this",
    "claim_action_forbidden": "Your account cannot do this to the claim",
    "forbidden": "Your account cannot do this",
    "token_expired": "Your session has expired: sign in again",
    "invalid_token": "Your session is no longer valid: sign in again",
    "csrf_token_missing": "This form has expired",
    # Labels and warranty
    "label_unknown_format": "That does not look like a label code",
    "label_check_mismatch": "The label code does not add up: check each character",
    "label_ambiguous": "The label code could be read more than one way",
    "label_ambiguous_correction": "The label code could be corrected more than one way",
    "label_unknown_factory": "The label names a factory we do not know",
    "label_future_date": "The label's production date is in the future",
    "label_impossible_date": "The label's production date does not exist",
    "label_unreadable": "The photo's label could not be read",
    "warranty_purchase_in_future": "The purchase date is in the future",
    "warranty_purchase_before_manufacture": "The purchase date is before the item was made",
    "warranty_no_components": "Choose at least one part that is damaged",
    "claim_already_open": "This item already has an open claim",
    "claim_not_found": "Claim not found: check the claim number",
    "claim_invalid_transition": "The claim is not at a step where this can be done",
    "claim_concurrent_update": "Someone else changed this claim at the same moment: try again",
    "rma_not_issued": "This claim has no return authorisation yet",
    # The card's facts reach the notifications service from the claim's events a moment after
    # the repair or replacement starts (the same answer for a claim that is not the reader's).
    "notifications_card_not_found": "Thank-you card not found: it is ready a minute after the "
    "repair or replacement starts",
    "repair_parts_unavailable": "The parts for this repair are not in stock",
    "replacement_out_of_stock": "No replacement is in stock",
    # Shop and orders
    "quote_expired": "The price is no longer locked: get a new quote",
    "quote_not_found": "Quote not found: get a new quote from the shop",
    "quote_invalid_quantity": "Choose a whole number of units, from 1 to 20",
    "quote_already_ordered": "This quote was already ordered",
    "order_not_found": "Order not found: check the order number",
    "order_already_shipped": "The order has already shipped and can no longer be cancelled",
    "payment_declined": "The card was declined",
    "payment_timeout": "The payment did not answer in time: nothing was charged twice",
    "stock_insufficient": "Not enough stock for this order",
    "catalogue_not_available": "This item cannot be delivered to that region",
    # Returns
    "return_faulty_use_warranty": "A faulty item is mended or replaced under warranty: "
    "check its label on the warranty page",
    "return_window_closed": "The time to send this item back has run out",
    "return_already_returned": "Every unit of this item is already being returned",
    "return_not_delivered": "An order can be returned once it has been delivered",
    "return_line_not_in_order": "That item is not in this order",
    "return_duplicate_line": "The same item is listed twice",
    "return_empty": "Choose at least one item to return",
    "return_not_found": "Return not found: check the return number",
    "return_parcel_on_its_way": "The parcel is already on its way back",
    "return_invalid_transition": "The return is not at a step where this can be done",
    # Repairs and replacements
    "resolution_repair_not_possible": "This claim cannot be repaired with parts: replace it instead",
    "resolution_choice_not_eligible": "That choice is not open for this claim",
    "resolution_unknown_style": "There is no style with that code",
    # Messages and webhooks
    "notifications_invalid_email": "That email address is not valid",
    "notifications_invalid_phone": "That phone number is not valid",
    "notifications_invalid_quiet_hours": "The quiet hours are not valid",
    "notifications_transactional_channel_required": "Keep email or in-app on for claim and order messages",
    "notifications_message_not_held": "This message is no longer held: someone settled it",
    "notifications_message_not_found": "Message not found",
    "webhooks_endpoint_not_found": "Webhook endpoint not found",
    "dead_letter_not_found": "This event is no longer in the dead-letter queue",
    "dead_letter_not_replayable": "This event cannot be replayed",
    # Batch analytics
    "volumes_invalid": "The production volumes file was not accepted: nothing was changed",
    "volumes_file_too_large": "The production volumes file is too large: nothing was changed",
    "volumes_file_missing": "Choose a CSV file to upload",
    "analytics_unknown_factory": "There is no factory with that code",
    "analytics_unknown_style": "There is no style with that code",
    "analytics_invalid_week": "That production week does not exist",
    "analytics_invalid_period": "The period ends before it starts",
    # Transport and limits
    "validation_error": "Some of what was sent was not accepted",
    "rate_limited": "Too many requests in a short time: wait a moment and try again",
    # Registering a partner's webhook endpoint (Operations): what the operator does about it.
    "webhooks_https_required": "Partners are called over https here: write the URL with https://",
    "webhooks_url_invalid": "The URL holds spaces or control characters: copy it again from the "
    "partner",
    "webhooks_invalid_endpoint": "That is not a URL Concierge can call: write it whole, such as "
    "https://partner.example/hooks",
    "webhooks_unknown_event_type": "No event type matches one of those ticked",
    "webhooks_endpoint_limit_reached": "No more endpoints can be registered: delete one that is "
    "no longer used first",
    "idempotency_request_in_progress": "This is still being done: wait a moment",
    "idempotency_key_reused": "This form was already sent with other values: reload the page",
    "upstream_timeout": "Concierge took too long to answer: try again in a moment",
    "upstream_unavailable": "Concierge is not available right now: try again in a moment",
    "gateway_unreachable": "The service is not reachable",
    "internal_error": "Something went wrong",
}

# A `validation_error` is the gateway refusing a body's shape before any service sees it, so the
# codes above (e.g. `warranty_no_components`) never come for these fields: its `errors` name
# them, and each field reads as what to fix in the form.
FIELD: dict[str, str] = {
    "components": "Choose at least one part that is damaged.",
    "phone": "Write the phone number with its country code, such as +44 7700 900123.",
    "email": "Write the email address as name@example.com.",
    "tracking_number": "The tracking number takes letters, digits and dashes only, no spaces.",
    "carrier": "Name the carrier taking the parcel.",
    "style_code": "A style code is four letters or digits, such as VT01.",
    "reason": "Write a reason (at most 500 characters).",
    "credit_amount": "Write the credit as an amount above zero, such as 231.01.",
    "description": "The description is too long.",
    "quiet_hours": "Give the quiet hours as two times, such as 21:00 and 08:00.",
    "time_zone": "Choose a time zone from the list.",
    "locale": "Choose a language and format from the list.",
}

# Per HTTP status, when a code has no sentence of its own.
BY_STATUS: dict[int, str] = {
    400: "The request was not understood",
    401: "Sign in again to continue",
    403: "Your account cannot do this",
    404: "Not found: it does not exist, or not for your account",
    409: "This changed in the meantime: reload and try again",
    410: "This is no longer available",
    413: "What you sent is too large",
    422: "Some of what was sent was not accepted",
    429: "Too many requests in a short time: wait a moment and try again",
    503: "Concierge is not available right now: try again in a moment",
    504: "Concierge took too long to answer: try again in a moment",
}

# What each row code of a refused production-volumes file means (docs/analytics.md).
VOLUME_ROW: dict[str, str] = {
    "unknown_factory": "No factory has this code.",
    "invalid_iso_week": "Not an ISO week such as 2026-W07, or a week that does not exist.",
    "unknown_style": "No style has this code.",
    "invalid_units": "Units must be a whole number from 1 to 10,000,000.",
    "duplicate_batch": "This factory, week and style is already on an earlier row.",
    "wrong_column_count": "This row does not have the four columns of the header.",
    "invalid_header": "The header must name factory, iso_week, style and units.",
    "too_many_rows": "The file has more rows than one upload allows (5,000).",
    "no_rows": "The file has a header but no rows.",
    "not_utf8": "The file is not UTF-8 text: save it as CSV UTF-8.",
}


def title_for(code: str, status: int) -> str:
    if code in PLAIN:
        return PLAIN[code]
    if status in BY_STATUS:
        return BY_STATUS[status]
    return "Something went wrong" if status >= 500 else "The request was refused"


def invalid_fields(errors: object) -> str:
    """What to fix, once per offending field of a `validation_error`, in the order given; ""
    when the answer names none. A field with no sentence of its own is named in words."""
    sentences: list[str] = []
    for error in errors if isinstance(errors, list) else []:
        loc = error.get("loc") if isinstance(error, dict) else None
        # ["body", "quiet_hours", "start"], ["body", "components", 0]: the form's field is the
        # first name after where it was (body, query, path, header).
        names = [part for part in loc if isinstance(part, str)] if isinstance(loc, list) else []
        if names and names[0] in ("body", "query", "path", "header"):
            names = names[1:]
        if not names:
            continue
        field = names[0]
        sentence = FIELD.get(field, f"Check {field.replace('_', ' ')}.")
        if sentence not in sentences:
            sentences.append(sentence)
    return " ".join(sentences)


def volume_row_error(code: str) -> str:
    return VOLUME_ROW.get(code, "This row was refused.")
