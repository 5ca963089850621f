"""The order page's returns part: each label of a return that still expects its parcel links to
its printable PDF, fetched through the gateway as the signed-in user; warehouses by name."""

from __future__ import annotations

import httpx

from tests.support.web.console import StubConsole
from tests.unit.web.test_returns_page import ORDER, a_return

LABEL = {"carrier": "sandbox-post", "tracking_number": "SBXR1", "label_id": "lbl_1",
         "warehouse": "US-NJ", "warehouse_name": "New Jersey, United States",
         "customs": []}  # fmt: skip
PDF = b"%PDF-1.4 label"


def with_label(status: str) -> dict:
    return {**a_return(status, 1), "return_id": "ret-1", "labels": [LABEL]}


def gateway(status: str = "awaiting_parcel"):  # type: ignore[no-untyped-def]
    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/v1/orders/ord-1":
            return httpx.Response(200, json=ORDER)
        if path == "/v1/orders/ord-1/returns":
            return httpx.Response(200, json={"items": [with_label(status)], "next": None})
        if path == "/v1/returns/ret-1/labels/lbl_1.pdf":
            return httpx.Response(200, content=PDF, headers={
                "content-type": "application/pdf",
                "content-disposition": 'inline; filename="return-label-R-1-US-NJ.pdf"'})  # fmt: skip
        return httpx.Response(404, json={"code": "not_found", "title": "Not Found"})

    return answer


def test_a_customer_prints_her_label_from_the_order_page(
    stub_console: StubConsole, gateway_calls: list[httpx.Request]
) -> None:
    me = stub_console(gateway(), role="customer")
    page = me.get("/orders/ord-1").text
    assert 'href="/returns/ret-1/labels/lbl_1.pdf"' in page
    assert 'Print the return label<span class="sr-only"> to ' in page
    assert "New Jersey, United States" in page
    pdf = me.get("/returns/ret-1/labels/lbl_1.pdf")
    assert pdf.status_code == 200 and pdf.content == PDF
    assert pdf.headers["content-type"] == "application/pdf"
    assert "return-label-R-1-US-NJ.pdf" in pdf.headers["content-disposition"]
    assert gateway_calls[-1].headers["authorization"].startswith("Bearer ")


def test_an_agent_prints_it_for_the_customer(
    stub_console: StubConsole, gateway_calls: list[httpx.Request]
) -> None:
    agent = stub_console(gateway(), role="agent")
    base = "/agent/customers/cust-1"
    page = agent.get(f"{base}/orders/ord-1").text
    assert f'href="{base}/returns/ret-1/labels/lbl_1.pdf"' in page
    assert agent.get(f"{base}/returns/ret-1/labels/lbl_1.pdf").content == PDF
    assert gateway_calls[-1].url.params["customer_id"] == "cust-1"


def test_a_cancelled_return_offers_no_label_to_print(stub_console: StubConsole) -> None:
    page = stub_console(gateway("cancelled"), role="customer").get("/orders/ord-1").text
    assert "labels/lbl_1.pdf" not in page


def test_the_order_page_names_warehouses_instead_of_codes(stub_console: StubConsole) -> None:
    named = {**ORDER, "lines": [{**ORDER["lines"][0], "warehouse_name": "London, United Kingdom"}],
             "shipments": [{"warehouse": "UK-LDN", "warehouse_name": "London, United Kingdom",
                            "shipment_id": "s1", "tracking_number": "SBX1", "carrier": "sandbox",
                            "status": "delivered", "shipped_at": "2026-12-02T10:00:00Z",
                            "delivered_at": "2026-12-03T10:00:00Z",
                            "returns_close_at": "2099-01-01T00:00:00Z"}]}  # fmt: skip

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/orders/ord-1":
            return httpx.Response(200, json=named)
        return httpx.Response(200, json={"items": [with_label("awaiting_parcel")], "next": None})

    page = stub_console(answer, role="customer").get("/orders/ord-1").text
    assert "from London, United Kingdom" in page and "UK-LDN" not in page.replace(
        'data-parcel="UK-LDN"', ""
    )
