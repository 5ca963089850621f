"""The printable return label through the gateway over the orders service's real RPC handlers
(SQLite, no NATS): who may print it, which label, and a void label refused."""

from __future__ import annotations

import io
from datetime import timedelta

import pypdf
import pytest

from tests.support.orders.gateway import auth
from tests.support.orders.returns import delivered, processing
from tests.support.orders.stack import Stack

BODY = {"lines": [{"style": "VT02", "quantity": 1, "reason": "changed_mind"}]}


def key(n: str) -> dict[str, str]:
    return {"Idempotency-Key": n}


def start_return(http, stack: Stack, me: dict[str, str], k: str) -> dict:
    order = http.portal.call(delivered, stack, "VT02")
    r = http.post(f"/v1/orders/{order.order_id}/returns", json=BODY, headers=me | key(k))
    assert r.status_code == 201, r.text
    return r.json()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_her_own_label_prints_for_her_and_an_agent_but_not_for_another(client, stack) -> None:
    http, settings = client
    me, stranger = auth(settings, "cust-uk-1"), auth(settings, "cust-other")
    agent = auth(settings, "agent-7", role="agent")
    ret = start_return(http, stack, me, "p1")
    [label] = ret["labels"]
    assert label["warehouse"] == "US-NJ"
    assert label["warehouse_name"] == "New Jersey, United States"
    url = f"/v1/returns/{ret['return_id']}/labels/{label['label_id']}.pdf"

    mine = http.get(url, headers=me)
    assert mine.status_code == 200, mine.text
    assert mine.headers["content-type"] == "application/pdf"
    assert ret["return_number"] in mine.headers["content-disposition"]
    text = pypdf.PdfReader(io.BytesIO(mine.content)).pages[0].extract_text()
    assert label["tracking_number"] in text and ret["return_number"] in text
    assert http.get(url, headers=agent).status_code == 200
    theirs = http.get(url, headers=stranger)
    assert theirs.status_code == 404 and theirs.json()["code"] == "return_not_found"
    unknown = http.get(f"/v1/returns/{ret['return_id']}/labels/nope.pdf", headers=me)
    assert unknown.status_code == 404 and unknown.json()["code"] == "return_label_not_found"
    assert http.get(url).status_code == 401


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_label_prints_once_the_parcel_is_in_but_not_once_cancelled(client, stack) -> None:
    http, settings = client
    me = auth(settings, "cust-uk-1")
    kept = start_return(http, stack, me, "q1")
    stack.clock.advance(timedelta(seconds=181))
    http.portal.call(processing(stack).advance, kept["return_id"])
    url = f"/v1/returns/{kept['return_id']}/labels/{kept['labels'][0]['label_id']}.pdf"
    assert http.get(url, headers=me).status_code == 200  # refunded: the same label, for her records

    other = http.post(
        f"/v1/orders/{http.portal.call(delivered, stack, 'VT02').order_id}/returns",
        json=BODY, headers=me | key("q2"),
    ).json()  # fmt: skip
    assert http.post(f"/v1/returns/{other['return_id']}/cancel", headers=me | key("q3")).is_success
    void = http.get(f"/v1/returns/{other['return_id']}/labels/{other['labels'][0]['label_id']}.pdf",
                    headers=me)  # fmt: skip
    assert void.status_code == 409 and void.json()["code"] == "return_label_void"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_order_names_the_warehouses_of_its_parcels_and_lines(client, stack) -> None:
    http, settings = client
    me = auth(settings, "cust-uk-1")
    order = http.portal.call(delivered, stack, "VT02")
    view = http.get(f"/v1/orders/{order.order_id}", headers=me).json()
    [parcel], [line] = view["shipments"], view["lines"]
    assert (parcel["warehouse"], parcel["warehouse_name"]) == ("US-NJ", "New Jersey, United States")
    assert (line["warehouse"], line["warehouse_name"]) == ("US-NJ", "New Jersey, United States")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_catalogue_and_quotes_name_their_warehouses(client, stack) -> None:
    """Where a customer chooses and pays: the offer, a one-style quote, each parcel of a cart
    quote (read back too) name the warehouse next to its code."""
    http, settings = client
    me = auth(settings, "cust-uk-names")
    offers = http.get("/v1/catalog", params={"region": "UK"}, headers=me).json()["offers"]
    [sleeve] = [o for o in offers if o["style"] == "TC11"]
    assert (sleeve["warehouse"], sleeve["warehouse_name"]) == ("US-NJ", "New Jersey, United States")
    one = http.post("/v1/quotes", json={"style": "TC11", "region": "UK"}, headers=me | key("q1"))
    assert one.status_code == 201, one.text
    assert one.json()["warehouse_name"] == "New Jersey, United States"
    cart = {"region": "UK", "lines": [{"style": s, "quantity": 1} for s in ("JR01", "TC11")]}
    made = http.post("/v1/quotes", json=cart, headers=me | key("q2"))
    assert made.status_code == 201, made.text
    again = http.get(f"/v1/quotes/{made.json()['quote_id']}", headers=me).json()
    for reply in (made.json(), again):
        assert {(p["warehouse"], p["warehouse_name"]) for p in reply["shipments"]} == {
            ("UK-LON", "London, United Kingdom"), ("US-NJ", "New Jersey, United States")}  # fmt: skip
