from datetime import UTC, date, datetime

from services.notifications.adapters.rendering import render
from services.notifications.domain.context import locale_for_region, message_context

BASE = "https://api.example"


def test_claim_context_from_rma_event():
    """A claim event gives the template its facts: claim, item, RMA and where to send it."""
    data = {
        "claim_id": "CLM-1", "customer_id": "c1", "region": "UK", "product_name": "Tote",
        "rma_number": "RMA-9", "rma_expires_at": "2026-12-23T10:00:00Z",
        "repair_centre_name": "London repair centre", "repair_centre_address": "1 Thames Rd",
        "rma_form_path": "/v1/claims/CLM-1/rma.pdf",
    }  # fmt: skip
    ctx = message_context(
        "warranty.claim.rma_issued", data, customer_name="Margaret", base_url=BASE
    )
    assert ctx["rma_form_url"] == "https://api.example/v1/claims/CLM-1/rma.pdf"
    assert ctx["rma_expires_on"] == date(2026, 12, 23)
    assert ctx["ship_to"] == "London repair centre, 1 Thames Rd"
    assert ctx["currency"] == "GBP"
    text = render("claim_rma_issued", "en-GB", ctx).text
    assert "23 December 2026" in text and "Hello Margaret" in text


def test_claim_context_uses_earlier_facts_for_the_thank_you():
    """The thank-you note uses facts kept from the claim's earlier events."""
    facts = {"resolution": "repair", "parts": [{"part": "handle_piping", "colour": "brown"}],
             "item_name": "Tote"}  # fmt: skip
    data = {"claim_id": "CLM-1", "customer_id": "c1", "region": "US", "carrier": "UPS",
            "tracking_number": "1Z", "resolution": "repair"}  # fmt: skip
    ctx = message_context("warranty.claim.shipped_back", data, customer_name="Dana",
                          base_url=BASE, facts=facts)  # fmt: skip
    assert ctx["item_name"] == "Tote" and ctx["parts"] == ["handle piping (brown)"]
    assert "with new handle piping (brown)" in render("claim_thank_you", "en-US", ctx).text


def test_missing_optional_facts_drop_their_sentence():
    """A missing optional fact drops its sentence rather than leave a gap."""
    data = {"claim_id": "CLM-2", "customer_id": "c1", "region": "US", "rma_number": "RMA-2"}
    ctx = message_context("warranty.claim.rma_reminder", data, customer_name="Dana", base_url=BASE)
    message = render("claim_rma_reminder", "en-US", ctx)
    assert message.subject == "Reminder: RMA RMA-2 expires soon"
    assert "\n\n\n" not in message.text


def test_order_context_from_failed_event():
    """A failed order gives the template the reason and the advice."""
    data = {
        "order_id": "ORD-1", "customer_id": "c1", "region": "UK", "currency": "GBP",
        "total": "60.47", "reason_code": "out_of_stock", "advice_code": "join_waitlist",
        "message": "The last one was sold while we confirmed your payment.",
        "amount_released": "60.47",
    }  # fmt: skip
    ctx = message_context("orders.order.failed", data, customer_name="Margaret", base_url=BASE,
                          occurred_at=datetime(2026, 11, 23, tzinfo=UTC))  # fmt: skip
    text = render("order_failed", "en-GB", ctx).text
    assert "What you can do: Join the waitlist" in text
    assert "£60.47" in text


def test_order_placed_lists_lines_in_the_customers_currency():
    """An order confirmation lists its lines in the customer's currency."""
    data = {
        "order_id": "ORD-2", "customer_id": "c1", "region": "US", "currency": "USD",
        "total": "78.00", "duties_included": False,
        "items": [{"style": "TC11", "name": "Floral tablet sleeve", "quantity": 1,
                   "unit_price": "78.00"}],
    }  # fmt: skip
    ctx = message_context("orders.order.placed", data, customer_name="Dana", base_url=BASE)
    text = render("order_placed", "en-US", ctx).text
    assert "- 1 x Floral tablet sleeve: $78.00" in text
    assert "import VAT" not in text


def test_region_locales():
    """Each region has the locale its messages are written in; no region gets en-US."""
    assert locale_for_region("UK") == "en-GB"
    assert locale_for_region("EU") == "en-IE"
    assert locale_for_region(None) == "en-US"
