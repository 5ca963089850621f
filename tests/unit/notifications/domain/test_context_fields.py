"""Every field a message template gets, typed out by hand (context.py's contract: events carry
ids, codes and business facts; unknown or missing facts become None, or the neutral words a
template falls back on; earlier events' facts fill what a later event does not carry).

The full dictionaries are compared, so a fact that goes missing, a fallback that changes or a
code turned into the wrong words fails here."""

from __future__ import annotations

from datetime import UTC, date, datetime

from services.notifications.domain.context import (
    claim_context,
    locale_for_region,
    message_context,
    order_context,
    reason_sentence,
)

BASE = "https://c.example/"  # the trailing slash is dropped before a path is added


def test_a_claim_event_with_every_fact() -> None:
    data = {
        "claim_id": "c-42",
        "region": "UK",
        "product_name": "Voyager tote",
        "reasons": ["component_covered", "regional_floor_uk_eu"],
        "rma_number": "RMA-1",
        "rma_form_path": "/forms/c-42.pdf",
        "rma_expires_at": "2026-12-20T10:00:00Z",
        "repair_centre_name": "UK Repair Centre",
        "repair_centre_address": "Unit 4, London",
        "received_at": "2026-12-01T09:00:00+00:00",
        "promised_by": "2026-12-08",
        "components": ["handle", "edge_paint", "zip"],
        "parts": [{"part": "HANDLE-PAIR", "colour": "black"}, {"part": "PIPING_KIT"}, "zip pull"],
        "resolution": "replace_other",
        "replacement_name": "Juniper crossbody",
        "carrier": "DHL",
        "tracking_number": "TN1",
        "tracking_url": "https://t.example/TN1",
        "occurred_at": datetime(2026, 12, 5, 8, 0, tzinfo=UTC),
        "amount": "259.00",
    }
    assert claim_context(data, base_url=BASE) == {
        "claim_id": "c-42",
        "item_name": "Voyager tote",
        "currency": "GBP",
        "reason": "Manufacturing defects in these parts are covered. "
        "In your region the warranty lasts at least two years.",
        "review_days": 2,
        "turnaround_days": 7,
        "rma_number": "RMA-1",
        "rma_form_url": "https://c.example/forms/c-42.pdf",
        "rma_expires_on": date(2026, 12, 20),
        "ship_to": "UK Repair Centre, Unit 4, London",
        "received_on": date(2026, 12, 1),
        "promised_by": date(2026, 12, 8),
        "repair_summary": "handle, edge paint and zip",
        "parts": ["handle pair (black)", "piping kit", "zip pull"],
        "replacement_name": "Juniper crossbody",
        "resolution": "replacement",
        "resolution_label": "replaced with the style you chose",
        "carrier": "DHL",
        "tracking_number": "TN1",
        "tracking_url": "https://t.example/TN1",
        "delivered_on": date(2026, 12, 5),
        "credit_amount": "259.00",
    }


def test_a_claim_event_with_no_facts_gets_the_neutral_words() -> None:
    assert claim_context({}, base_url=BASE) == {
        "claim_id": "",
        "item_name": "item",
        "currency": "USD",
        "reason": None,
        "review_days": 2,
        "turnaround_days": 7,
        "rma_number": "",
        "rma_form_url": "https://c.example/v1/claims//rma.pdf",
        "rma_expires_on": None,
        "ship_to": "our repair centre",
        "received_on": None,
        "promised_by": None,
        "repair_summary": None,
        "parts": [],
        "replacement_name": "a new one",
        "resolution": "repair",
        "resolution_label": "repaired",
        "carrier": None,
        "tracking_number": None,
        "tracking_url": None,
        "delivered_on": None,
        "credit_amount": None,
    }


def test_earlier_facts_fill_what_a_later_event_lacks() -> None:
    facts = {
        "item_name": "Card case",
        "rma_number": "RMA-9",
        "components": ["zip"],
        "parts": [{"part": "ZIP-PULL", "colour": "navy"}],
        "resolution": "replace_same",
        "replacement_name": "Card case, black",
    }
    ctx = claim_context({"claim_id": "c-7", "region": "EU"}, base_url=BASE, facts=facts)
    assert ctx["rma_form_url"] == "https://c.example/v1/claims/c-7/rma.pdf"
    assert (ctx["item_name"], ctx["rma_number"], ctx["currency"]) == ("Card case", "RMA-9", "EUR")
    assert (ctx["repair_summary"], ctx["parts"]) == ("zip", ["zip pull (navy)"])
    assert (ctx["resolution"], ctx["resolution_label"]) == (
        "replacement",
        "replaced with the same style",
    )
    assert ctx["replacement_name"] == "Card case, black"
    # the event's own facts win over the earlier ones
    ctx = claim_context(
        {"claim_id": "c-7", "product_name": "Tote", "resolution": "repair", "rma_number": "R2"},
        base_url=BASE,
        facts=facts,
    )
    assert (ctx["item_name"], ctx["resolution_label"], ctx["rma_number"]) == (
        "Tote",
        "repaired",
        "R2",
    )


def test_a_replacement_with_no_name_is_called_by_its_style_code() -> None:
    ctx = claim_context({"replacement_style": "JR01"}, base_url=BASE)
    assert ctx["replacement_name"] == "JR01"
    assert claim_context({"repair_centre_address": "1 Thames Rd"}, base_url=BASE)["ship_to"] == (
        "1 Thames Rd"
    )
    assert claim_context({"resolution": "store_credit"}, base_url=BASE)["resolution_label"] == (
        "repaired"  # a code with no label of its own reads as the default
    )


def test_reason_codes_become_the_customers_sentences() -> None:
    assert reason_sentence(None) is None
    assert reason_sentence([]) is None
    assert reason_sentence("expired") == "The warranty on this item has ended."
    assert reason_sentence(["purchase_date", "agent_review"]) == (
        "Your warranty runs from the date you bought the item. "
        "One of our agents reviewed your claim personally."
    )
    # an unknown code is left out; an old event's sentence is kept as it was written
    assert reason_sentence(["no_such_code"]) is None
    assert reason_sentence(["no_such_code", "Covered under policy 2024-01"]) == (
        "Covered under policy 2024-01."
    )
    assert reason_sentence(["category_not_covered", "excluded_cause"]) == (
        "Items of this kind are not covered by the warranty. "
        "Damage of this kind is not covered by the warranty."
    )


def test_dates_arrive_as_text_dates_or_instants() -> None:
    ctx = claim_context(
        {
            "rma_expires_at": date(2026, 12, 20),
            "received_at": "",
            "promised_by": "2026-12-08T23:30:00-05:00",
        },
        base_url=BASE,
    )
    assert (ctx["rma_expires_on"], ctx["received_on"]) == (date(2026, 12, 20), None)
    assert ctx["promised_by"] == date(2026, 12, 8)  # the date as written, in its own zone
    assert claim_context({"promised_by": "2026-12-08 (by noon)"}, base_url=BASE)[
        "promised_by"
    ] == date(2026, 12, 8)


def test_an_order_event_with_every_fact() -> None:
    data = {
        "order_id": "o-1",
        "region": "UK",
        "currency": "GBP",
        "total": "95.82",
        "style": "TC11",
        "items": [
            {"style": "TC11", "quantity": 2},
            {"style": "VT02", "name": "Voyager travel tote", "quantity": 1},
        ],
        "duties_included": True,
        "ships_from_region": "US",
        "delivery_from": "2026-12-01",
        "delivery_to": "2026-12-04",
        "carrier": "DHL",
        "tracking_number": "TN1",
        "tracking_url": "https://t.example/TN1",
        "delivered_on": "2026-12-03",
        "message": "The card was declined.",
        "reason_code": "payment_declined",
        "advice_code": "retry_payment",
        "amount_released": "95.82",
        "refund_amount": "10.00",
        "occurred_at": "2026-11-23T10:00:00Z",
        "price": "78.00",
    }
    assert order_context(data, base_url=BASE) == {
        "order_id": "o-1",
        "currency": "GBP",
        "total": "95.82",
        "items": [
            {"quantity": 2, "name": "TC11", "style": "TC11"},
            {"quantity": 1, "name": "Voyager travel tote", "style": "VT02"},
        ],
        "item_name": "TC11",
        "duties_included": True,
        "ships_from": "our US warehouse",
        "delivery_from": date(2026, 12, 1),
        "delivery_to": date(2026, 12, 4),
        "carrier": "DHL",
        "tracking_number": "TN1",
        "tracking_url": "https://t.example/TN1",
        "delivered_on": date(2026, 12, 3),
        "reason": "The card was declined.",
        "advice": "Try again with another card, or contact your bank.",
        "amount_released": "95.82",
        "refund_amount": "10.00",
        "refunded_on": date(2026, 11, 23),
        "price": "78.00",
        "product_url": "https://c.example/v1/products/TC11/offers?region=UK",
    }


def test_an_order_event_with_no_facts_gets_the_neutral_words() -> None:
    before = date.today()
    ctx = order_context({}, base_url=BASE)
    refunded_on = ctx.pop("refunded_on")
    assert before <= refunded_on <= date.today()  # no date given: the day it is sent
    assert ctx == {
        "order_id": "",
        "currency": "USD",
        "total": "0",
        "items": [],
        "item_name": "",
        "duties_included": False,
        "ships_from": "our warehouse",
        "delivery_from": None,
        "delivery_to": None,
        "carrier": None,
        "tracking_number": None,
        "tracking_url": None,
        "delivered_on": None,
        "reason": None,
        "advice": None,
        "amount_released": None,
        "refund_amount": None,
        "price": None,
        "product_url": "https://c.example/v1/products//offers?region=",
    }


def test_order_fallbacks() -> None:
    ctx = order_context(
        {
            "region": "EU",
            "item_name": "Card case",
            "items": [{"style": "CC01"}],
            "ships_from_region": "CA",
            "reason_code": "out_of_stock",
            "advice_code": "no_such_advice",
            "occurred_at": "2026-12-05T10:00:00Z",
        },
        base_url=BASE,
    )
    assert ctx["currency"] == "EUR"  # the region's, when the event names none
    assert ctx["items"] == [{"quantity": 1, "name": "CC01", "style": "CC01"}]
    assert ctx["item_name"] == "Card case"
    assert ctx["ships_from"] == "our CA warehouse"
    assert (ctx["reason"], ctx["advice"]) == ("out_of_stock", None)
    assert ctx["delivered_on"] == date(2026, 12, 5)  # the event's time when no date is given
    assert order_context({"style": "DJ27"}, base_url=BASE)["item_name"] == "DJ27"


def test_the_event_kind_picks_the_context_and_the_name_is_added() -> None:
    at = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
    claim = message_context(
        "warranty.claim.delivered",
        {"claim_id": "c-1"},
        customer_name="Margaret",
        base_url=BASE,
        occurred_at=at,
    )
    assert (claim["customer_name"], claim["claim_id"], claim["delivered_on"]) == (
        "Margaret",
        "c-1",
        date(2026, 12, 5),
    )
    # the event's own time, when it carries one, wins over the envelope's
    order = message_context(
        "orders.order.delivered",
        {"order_id": "o-1", "occurred_at": "2026-12-04T08:00:00Z"},
        customer_name="Dana",
        base_url=BASE,
        occurred_at=at,
    )
    assert (order["customer_name"], order["order_id"], order["delivered_on"]) == (
        "Dana",
        "o-1",
        date(2026, 12, 4),
    )
    assert "claim_id" not in order


def test_each_region_has_its_locale() -> None:
    assert [locale_for_region(r) for r in ("US", "UK", "EU", "uk", "eu")] == [
        "en-US",
        "en-GB",
        "en-IE",
        "en-GB",
        "en-IE",
    ]
    assert locale_for_region(None) == "en-US"
    assert locale_for_region("CA") == "en-US"


def test_the_events_own_currency_and_first_item_name_win() -> None:
    ctx = order_context(
        {"currency": "GBP", "style": "TC11",
         "items": [{"style": "TC11", "name": "Floral tablet sleeve", "quantity": 1}]},
        base_url="https://shop.example/BOX/",
    )  # fmt: skip
    assert ctx["currency"] == "GBP"  # no region: the event's currency, not the USD fallback
    assert ctx["item_name"] == "Floral tablet sleeve"
    assert ctx["product_url"] == "https://shop.example/BOX/v1/products/TC11/offers?region="


def test_a_part_with_no_code_is_called_a_part() -> None:
    ctx = claim_context(
        {"claim_id": "c-9", "parts": [{"colour": "navy"}, {"part": "ZIP-PULL"}]},
        base_url="https://shop.example/BOX/",
    )
    assert ctx["parts"] == ["part (navy)", "zip pull"]
    assert ctx["rma_form_url"] == "https://shop.example/BOX/v1/claims/c-9/rma.pdf"


# advice code (orders' failure events) -> what the customer is told to do
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


def test_each_advice_code_has_its_words() -> None:
    for code, words in ADVICE.items():
        assert order_context({"advice_code": code}, base_url=BASE)["advice"] == words, code


def test_a_decision_read_from_the_label_explains_itself() -> None:
    assert reason_sentence(["manufacture_plus_shelf"]) == (
        "No receipt was needed: the label inside told us when it was made, and the warranty "
        "runs from then plus the time it may have spent in a shop."
    )


def test_each_region_has_its_currency_and_warehouse_name() -> None:
    for region, currency in (("US", "USD"), ("UK", "GBP"), ("EU", "EUR")):
        assert claim_context({"region": region}, base_url=BASE)["currency"] == currency
        order = order_context({"region": region, "ships_from_region": region}, base_url=BASE)
        assert order["currency"] == currency
        assert order["ships_from"] == f"our {region} warehouse"
