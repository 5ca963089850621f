"""Irish formats and a region chosen once: an en-IE reader signs in with her formats kept (euro
region, Dublin time), the shop and the claim form start in the EU region for her, and a region
she picks in the shop is where later pages start, for her or for the one customer an agent
last shopped for, never for another."""

from __future__ import annotations

import httpx

from services.web.formatting import day, money
from tests.support.web.console import StubConsole, csrf

EU = {"region": "EU", "currency": "EUR", "offers": []}


def gateway(request: httpx.Request) -> httpx.Response:
    if request.url.path == "/v1/catalog":
        region = request.url.params.get("region")
        return httpx.Response(200, json={**EU, "region": region})
    if request.url.path == "/v1/me/contact":
        return httpx.Response(404, json={"code": "contact_not_found", "title": "Not Found"})
    return httpx.Response(404, json={"code": "not_found", "title": "Not Found"})


def catalogue_regions(calls: list[httpx.Request]) -> list[str | None]:
    return [c.url.params.get("region") for c in calls if c.url.path == "/v1/catalog"]


def test_irish_formats_are_kept_and_start_in_the_eu(stub_console: StubConsole,
                                                   gateway_calls: list) -> None:  # fmt: skip
    her = stub_console(gateway, role="customer", locale="en-IE")
    her.get("/shop")
    assert catalogue_regions(gateway_calls) == ["EU"]
    page = her.get("/warranty").text
    assert '<option value="EU" selected' in page or 'value="EU" selected' in page
    assert money("95.82", "EUR", "en-IE") == "€95.82"
    assert day("2026-12-05", "en-IE") == "5 December 2026"


def test_a_region_chosen_in_the_shop_is_where_later_pages_start(stub_console: StubConsole,
                                                               gateway_calls: list) -> None:  # fmt: skip
    her = stub_console(gateway, role="customer", locale="en-GB")
    her.get("/shop?region=US")
    her.get("/shop")
    assert catalogue_regions(gateway_calls) == ["US", "US"]


def test_an_agents_choice_is_kept_for_that_customer_only(stub_console: StubConsole,
                                                        gateway_calls: list) -> None:  # fmt: skip
    agent = stub_console(gateway, role="agent", locale="en-GB")
    agent.get("/agent/customers/cust-ie/shop?region=EU")
    agent.get("/agent/customers/cust-ie/shop")
    agent.get("/agent/customers/cust-uk/shop")
    assert catalogue_regions(gateway_calls) == ["EU", "EU", "UK"]


def test_the_formats_switch_offers_and_keeps_irish_formats(stub_console: StubConsole) -> None:
    her = stub_console(gateway, role="customer", locale="en-GB")
    token = csrf(her.get("/shop").text)
    her.post("/locale", data={"csrf_token": token, "locale": "en-IE", "next": "/shop"})
    assert 'value="en-IE" selected' in her.get("/shop").text
