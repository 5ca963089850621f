"""Returns through the gateway's orders router over the orders service's real RPC handlers
(SQLite, no NATS): the request, the views by role, BOLA, refusals as problem+json."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.orders.gateway import auth
from tests.support.orders.returns import delivered, processing
from tests.support.orders.stack import Stack

BODY = {"lines": [{"style": "VT02", "quantity": 1, "reason": "changed_mind"}]}


def key(n: str) -> dict[str, str]:
    return {"Idempotency-Key": n}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_customer_returns_a_delivered_order(client, stack: Stack) -> None:
    http, settings = client
    me, stranger = auth(settings, "cust-uk-1"), auth(settings, "cust-other")
    order = http.portal.call(delivered, stack, "VT02")  # type: ignore[union-attr]
    url = f"/v1/orders/{order.order_id}/returns"
    assert http.post(url, json=BODY, headers=stranger | key("s1")).status_code == 404
    r = http.post(url, json=BODY, headers=me | key("k1"))
    assert r.status_code == 201, r.text
    ret = r.json()
    assert ret["status"] == "awaiting_parcel" and ret["agent_id"] is None
    assert ret["refund"]["total"] == "286.22" and ret["refund"]["currency"] == "GBP"
    [label] = ret["labels"]
    assert label["customs"][0]["procedure"] == "returned_goods"
    assert label["customs"][0]["declared_value"] == "231.01"
    again = http.post(url, json=BODY, headers=me | key("k1"))  # a retry: the same return
    assert again.json()["return_id"] == ret["return_id"]
    twice = http.post(url, json=BODY, headers=me | key("k2"))
    assert twice.status_code == 409 and twice.json()["code"] == "return_already_returned"
    assert twice.headers["content-type"].startswith("application/problem+json")
    listed = http.get(url, headers=me).json()["items"]
    assert [x["return_id"] for x in listed] == [ret["return_id"]]
    assert http.get(url, headers=stranger).status_code == 404
    one = f"/v1/returns/{ret['return_id']}"
    assert http.get(one, headers=stranger).status_code == 404

    stack.clock.advance(timedelta(seconds=181))
    http.portal.call(processing(stack).advance, ret["return_id"])  # type: ignore[union-attr]
    done = http.get(one, headers=me).json()
    assert done["status"] == "refunded" and done["amount_refunded"] == "286.22"
    assert [t["status"] for t in done["timeline"]] == ["awaiting_parcel", "received", "refunded"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_faulty_goes_to_warranty_and_an_agent_returns_for_a_customer(client, stack: Stack) -> None:
    http, settings = client
    me, agent = auth(settings, "cust-uk-1"), auth(settings, "agent-7", role="agent")
    order = http.portal.call(delivered, stack, "VT02")  # type: ignore[union-attr]
    url = f"/v1/orders/{order.order_id}/returns"
    faulty = {"lines": [{"style": "VT02", "quantity": 1, "reason": "faulty"}]}
    r = http.post(url, json=faulty, headers=me | key("f1"))
    assert r.status_code == 422 and r.json()["code"] == "return_faulty_use_warranty"
    bad = http.post(url, json={**BODY, "x": 1}, headers=me | key("f2"))
    assert bad.status_code == 422
    r = http.post(url, json={**BODY, "customer_id": "cust-uk-1"}, headers=agent | key("a1"))
    assert r.status_code == 201, r.text
    assert r.json()["agent_id"] == "agent-7" and r.json()["started_by_agent"] is True
    mine = http.get(f"/v1/returns/{r.json()['return_id']}", headers=me).json()
    assert mine["agent_id"] is None and mine["started_by_agent"] is True


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_customer_cancels_a_return_before_sending_it(client, stack: Stack) -> None:
    http, settings = client
    me, stranger = auth(settings, "cust-uk-1"), auth(settings, "cust-other")
    order = http.portal.call(delivered, stack, "VT02")  # type: ignore[union-attr]
    ret = http.post(f"/v1/orders/{order.order_id}/returns", json=BODY, headers=me | key("c1"))
    url = f"/v1/returns/{ret.json()['return_id']}/cancel"
    assert http.post(url, headers=stranger | key("c2")).status_code == 404
    done = http.post(url, headers=me | key("c3"))
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "cancelled"
    again = http.post(url, headers=me | key("c4"))
    assert again.status_code == 409 and again.json()["code"] == "return_invalid_transition"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_exchange_through_http(client, stack: Stack) -> None:
    http, settings = client
    me = auth(settings, "cust-uk-1")
    order = http.portal.call(delivered, stack, "TC11")  # type: ignore[union-attr]
    url = f"/v1/orders/{order.order_id}/returns"
    swap = {"lines": [{"style": "TC11", "quantity": 1, "reason": "not_as_pictured"}],
            "resolution": "exchange", "exchange_style": "VT02"}  # fmt: skip
    incomplete = http.post(url, json=swap, headers=me | key("e1"))
    assert incomplete.status_code == 422
    assert incomplete.json()["code"] == "return_exchange_incomplete"
    r = http.post(url, json=swap | {"if_not_returned": "cancel"}, headers=me | key("e2"))
    assert r.status_code == 201, r.text
    x = r.json()["exchange"]
    assert (x["style"], x["difference_direction"], x["difference"]) == ("VT02", "charge", "236.92")
    assert x["replacement_total"] == "309.48" and x["if_not_returned"] == "cancel"
    assert r.json()["resolution"] == "exchange"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_only_agents_receive_a_return_parcel(client, stack: Stack) -> None:
    http, settings = client
    me, agent = auth(settings, "cust-uk-1"), auth(settings, "agent-7", role="agent")
    order = http.portal.call(delivered, stack, "VT02")  # type: ignore[union-attr]
    ret = http.post(f"/v1/orders/{order.order_id}/returns", json=BODY, headers=me | key("w1"))
    url = f"/v1/returns/{ret.json()['return_id']}/receive"
    assert http.post(url, headers=me | key("w2")).status_code == 403
    done = http.post(url, headers=agent | key("w3"))
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "refunded" and done.json()["amount_refunded"] == "286.22"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_order_says_how_many_units_can_still_be_returned(client, stack: Stack) -> None:
    """GET /v1/orders/{id} (and the list) carries each line's `returnable_quantity` as the
    orders service counts it: a return takes its units, a cancelled one gives them back."""
    http, settings = client
    me, agent = auth(settings, "cust-uk-1"), auth(settings, "agent-7", role="agent")
    order = http.portal.call(delivered, stack, "VT02", 2)  # type: ignore[union-attr]
    url = f"/v1/orders/{order.order_id}"

    def left(who: dict[str, str] = me) -> list[tuple[str, str, int, int]]:
        lines = http.get(url, headers=who).json()["lines"]
        return [(x["style"], x["warehouse"], x["quantity"], x["returnable_quantity"])
                for x in lines]  # fmt: skip

    assert left() == [("VT02", "US-NJ", 2, 2)]
    ret = http.post(f"{url}/returns", json=BODY, headers=me | key("q1"))
    assert ret.status_code == 201, ret.text
    assert left() == left(agent) == [("VT02", "US-NJ", 2, 1)]
    [listed] = http.get("/v1/orders", headers=me).json()["items"]
    assert [x["returnable_quantity"] for x in listed["lines"]] == [1]
    cancel = http.post(f"/v1/returns/{ret.json()['return_id']}/cancel", headers=me | key("q2"))
    assert cancel.status_code == 200, cancel.text
    assert left() == [("VT02", "US-NJ", 2, 2)]  # the cancelled return gave its unit back
