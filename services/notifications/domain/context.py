"""Turn a claim or order event's facts into the data a message template needs.

Events carry ids and business facts (shared/contracts/warranty.py, orders.py); the customer's
name comes from the contact this service keeps. Unknown or missing facts become None, and the
templates leave out the sentence that needed them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

REGION_LOCALES = {"US": "en-US", "UK": "en-GB", "EU": "en-IE"}
REGION_CURRENCIES = {"US": "USD", "UK": "GBP", "EU": "EUR"}
REGION_NAMES = {"US": "US", "UK": "UK", "EU": "EU"}
TURNAROUND_DAYS = 7
REVIEW_DAYS = 2

RESOLUTION_LABELS = {
    "repair": "repaired",
    "replace_same": "replaced with the same style",
    "replace_other": "replaced with the style you chose",
}
ADVICE = {
    "retry_payment": "Try again with another card, or contact your bank.",
    "use_another_card": "Try again with another card, or contact your bank.",
    "try_again_later": "Please try again in a few minutes.",
    "join_waitlist": "Join the waitlist and we'll tell you as soon as it's back, "
    "or choose another style.",
    "request_new_quote": "Ask for a new quote: prices are held for 30 minutes.",
    "new_quote": "Ask for a new quote: prices are held for 30 minutes.",
    "contact_support": "Reply to this message and an agent will help you.",
    "choose_another_style": "Choose another style, or join the waitlist for this one.",
}


# Warranty decisions arrive as reason codes (events carry no text written by people); these
# are the customer's words for them. An unknown code is left out rather than shown raw.
REASON_TEXTS = {
    "purchase_date": "Your warranty runs from the date you bought the item.",
    "manufacture_plus_shelf": "No receipt was needed: the label inside told us when it was "
    "made, and the warranty runs from then plus the time it may have spent in a shop.",
    "regional_floor_uk_eu": "In your region the warranty lasts at least two years.",
    "component_covered": "Manufacturing defects in these parts are covered.",
    "expired": "The warranty on this item has ended.",
    "category_not_covered": "Items of this kind are not covered by the warranty.",
    "excluded_cause": "Damage of this kind is not covered by the warranty.",
    "agent_review": "One of our agents reviewed your claim personally.",
}


def reason_sentence(codes: Any) -> str | None:
    """The customer's sentence for a decision's reason codes.

    Events published before codes existed carried sentences; those still read as they are."""
    if not codes:
        return None
    if isinstance(codes, str):
        codes = [codes]
    parts = [REASON_TEXTS.get(str(c)) or (str(c) if " " in str(c) else None) for c in codes]
    return _sentence([p for p in parts if p])


def locale_for_region(region: str | None) -> str:
    return REGION_LOCALES.get((region or "").upper(), "en-US")


def _day(value: Any) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value)
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return date.fromisoformat(text[:10])


def _sentence(parts: Any) -> str | None:
    if not parts:
        return None
    if isinstance(parts, str):
        return parts
    return " ".join(str(p).rstrip(".") + "." for p in parts)


def _join(items: Any) -> str | None:
    if not items:
        return None
    words = [str(i).replace("_", " ") for i in items]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def _part_names(parts: Any) -> list[str]:
    names = []
    for part in parts or []:
        if isinstance(part, Mapping):
            label = _humanise(part.get("part", "part"))
            colour = part.get("colour")
            names.append(f"{label} ({colour})" if colour else label)
        else:
            names.append(str(part))
    return names


def claim_context(
    data: Mapping[str, Any], *, base_url: str, facts: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Template data for a `warranty.claim.*` event; `facts` are what earlier events told us."""
    facts = facts or {}
    claim_id = str(data.get("claim_id", ""))
    form_path = data.get("rma_form_path") or f"/v1/claims/{claim_id}/rma.pdf"
    resolution = data.get("resolution") or facts.get("resolution") or "repair"
    ship_to = ", ".join(
        str(p) for p in (data.get("repair_centre_name"), data.get("repair_centre_address")) if p
    )
    return {
        "claim_id": claim_id,
        "item_name": data.get("product_name") or facts.get("item_name") or "item",
        "currency": REGION_CURRENCIES.get(str(data.get("region", "")), "USD"),
        "reason": reason_sentence(data.get("reasons")),
        "review_days": REVIEW_DAYS,
        "turnaround_days": TURNAROUND_DAYS,
        "rma_number": data.get("rma_number") or facts.get("rma_number") or "",
        "rma_form_url": base_url.rstrip("/") + str(form_path),
        "rma_expires_on": _day(data.get("rma_expires_at")),
        "ship_to": ship_to or "our repair centre",
        "received_on": _day(data.get("received_at")),
        "promised_by": _day(data.get("promised_by")),
        "repair_summary": _join(data.get("components") or facts.get("components")),
        "parts": _part_names(data.get("parts") or facts.get("parts")),
        "replacement_name": data.get("replacement_name")
        or facts.get("replacement_name")
        or data.get("replacement_style")
        or "a new one",
        "resolution": "repair" if resolution == "repair" else "replacement",
        "resolution_label": RESOLUTION_LABELS.get(resolution, "repaired"),
        "carrier": data.get("carrier"),
        "tracking_number": data.get("tracking_number"),
        "tracking_url": data.get("tracking_url"),
        "delivered_on": _day(data.get("occurred_at")),
        "credit_amount": data.get("amount"),
    }


def order_context(data: Mapping[str, Any], *, base_url: str) -> dict[str, Any]:
    """Template data for an `orders.*` event."""
    currency = data.get("currency") or REGION_CURRENCIES.get(str(data.get("region", "")), "USD")
    items = [
        {"quantity": i.get("quantity", 1), "name": i.get("name", i.get("style")), **i}
        for i in data.get("items") or []
    ]
    style = data.get("style", "")
    region = data.get("region", "")
    ships_from_region = data.get("ships_from_region")
    return {
        "order_id": data.get("order_id", ""),
        "currency": currency,
        "total": data.get("total") or "0",
        "items": items,
        "item_name": data.get("item_name") or (items[0]["name"] if items else style),
        "duties_included": bool(data.get("duties_included")),
        "ships_from": f"our {REGION_NAMES.get(str(ships_from_region), ships_from_region)} warehouse"
        if ships_from_region
        else "our warehouse",
        "delivery_from": _day(data.get("delivery_from")),
        "delivery_to": _day(data.get("delivery_to")),
        "carrier": data.get("carrier"),
        "tracking_number": data.get("tracking_number"),
        "tracking_url": data.get("tracking_url"),
        "delivered_on": _day(data.get("delivered_on") or data.get("occurred_at")),
        "reason": data.get("message") or data.get("reason_code"),
        "advice": ADVICE.get(str(data.get("advice_code"))),
        "amount_released": data.get("amount_released"),
        "refund_amount": data.get("refund_amount"),
        "refunded_on": _day(data.get("occurred_at")) or date.today(),
        "price": data.get("price"),
        "product_url": f"{base_url.rstrip('/')}/v1/products/{style}/offers?region={region}",
    }


def return_context(data: Mapping[str, Any]) -> dict[str, Any]:
    """Template data for an `orders.return.*` event (figures and codes only)."""
    refund = data.get("refund") or {}
    exchange = data.get("exchange") or {}
    numbers = data.get("tracking_numbers") or []
    return {
        "return_number": data.get("return_number"),
        "return_tracking_number": numbers[0] if numbers else None,
        "refund_total": refund.get("total"),
        "amount_refunded": data.get("amount_refunded"),
        "exchange_style": exchange.get("style"),
        "exchange_direction": exchange.get("difference_direction"),
        "exchange_difference": exchange.get("difference"),
        "charged": data.get("charged"),
        "refunded": data.get("refunded"),
        "exchange_outcome": data.get("exchange_outcome"),
    }


def message_context(
    event_type: str,
    data: Mapping[str, Any],
    *,
    customer_name: str,
    base_url: str,
    facts: Mapping[str, Any] | None = None,
    occurred_at: datetime | None = None,
) -> dict[str, Any]:
    payload = dict(data)
    if occurred_at is not None:
        payload.setdefault("occurred_at", occurred_at)
    if event_type.startswith("warranty."):
        context = claim_context(payload, base_url=base_url, facts=facts)
    else:
        context = order_context(payload, base_url=base_url) | return_context(payload)
    context["customer_name"] = customer_name
    return context


def _humanise(code: object) -> str:
    """`HANDLE-PAIR` or `handle_piping` -> `handle pair` / `handle piping`."""
    return str(code).replace("_", " ").replace("-", " ").lower()
