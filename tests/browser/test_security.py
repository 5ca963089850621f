"""What the console must never do: show an agent page to a customer, show one customer's claim
or order to another (direct URLs included), keep pages in a shared cache, or act on a form post
that lacks the session's CSRF token."""

from __future__ import annotations

import random
import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.setup_api import api_client, post
from tests.support.labels import story1_label

pytestmark = pytest.mark.browser

AGENT_PAGES = ["/agent", "/agent?tab=centre", "/agent?tab=held", "/agent/search?q=x",
               "/agent/claims/CLM-x", "/agent/customers/cust-x", "/agent/customers/cust-x/shop",
               "/agent/ops", "/agent/ops/webhooks/wh_x"]  # fmt: skip


@pytest.fixture(scope="module")
def someone_elses(console) -> dict[str, str]:
    """Customer B's claim and order (set up through the API: what matters is A's view)."""
    b = f"cust-b-{uuid.uuid4().hex[:8]}"
    with api_client(console.api, b) as api:
        label = story1_label(random.randrange(10_000, 99_999))  # one open claim per item
        claim = post(api, "/v1/claims", {"region": "UK", "label_code": label,
                                          "components": ["handles"]})  # fmt: skip
        quote = post(api, "/v1/quotes", {"style": "TC11", "region": "UK"})
        order = post(api, "/v1/orders", {"quote_id": quote["quote_id"], "payment_token": "tok_ok"})
    return {"customer": b, "claim": claim["id"], "order": order["order_id"],
            "quote": quote["quote_id"]}  # fmt: skip


def test_a_customer_reaches_no_agent_page(sign_in):
    page = sign_in(f"cust-{uuid.uuid4().hex[:8]}")
    for path in AGENT_PAGES:
        response = page.goto(path)
        assert response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    expect(page.get_by_role("navigation", name="Main")).not_to_contain_text("Queue")
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    r = page.request.post("/agent/claims/CLM-x/approve",
                          form={"csrf_token": token, "reason": "x"})  # fmt: skip
    assert r.status == 404


def test_customer_a_cannot_see_customer_b_objects(sign_in, someone_elses):
    page = sign_in(f"cust-a-{uuid.uuid4().hex[:8]}")
    claim, order = someone_elses["claim"], someone_elses["order"]
    for path in [f"/claims/{claim}", f"/claims/{claim}/rma.pdf", f"/claims/{claim}/thank-you-card.pdf",
                 f"/orders/{order}", f"/quotes/{someone_elses['quote']}"]:  # fmt: skip
        response = page.goto(path) if not path.endswith(".pdf") else None
        if response is None:
            response = page.request.get(path)
            assert response.status == 404, path
            assert claim not in response.text() or "not found" in response.text().lower()
            continue
        assert response.status == 404, path
        expect(page.locator("main")).to_contain_text("HTTP 404")
        assert someone_elses["customer"] not in page.content()
    page.goto("/claims")
    expect(page.locator("main")).not_to_contain_text(claim)
    page.goto("/orders")
    expect(page.locator("main")).not_to_contain_text(order)
    live = page.request.get(f"/live/claims/{claim}", timeout=10_000)
    assert "event: update" not in live.text() and "event: problem" in live.text()


def test_pages_are_never_cached_and_the_cookie_is_locked_down(sign_in):
    page = sign_in(f"cust-{uuid.uuid4().hex[:8]}")
    response = page.goto("/claims")
    assert response.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    (cookie,) = [c for c in page.context.cookies() if c["name"] == "concierge_console"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"


def test_a_form_post_without_the_csrf_token_is_refused_and_changes_nothing(sign_in):
    page = sign_in(f"cust-{uuid.uuid4().hex[:8]}")
    page.goto("/settings")
    page.get_by_label("Name").fill("Margaret")
    page.get_by_role("button", name="Save contact details").click()
    expect(page.locator(".flash.success")).to_contain_text("saved")

    forged = {"name": "Mallory", "email": "mallory@example.com", "locale": "en-US"}
    for form in (forged, {**forged, "csrf_token": "not-the-token"}):
        r = page.request.post("/settings/contact", form=form)
        assert r.status == 403
        assert "csrf_token_missing" in r.text()
    r = page.request.post("/sign-out", form={})
    assert r.status == 403

    page.goto("/settings")
    expect(page.get_by_label("Name")).to_have_value("Margaret")
