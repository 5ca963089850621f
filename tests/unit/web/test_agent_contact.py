"""An agent on the phone records or corrects a customer's contact details on her page (`PUT
/v1/me/contact?customer_id=`): what the form does not show (the app's push tokens, her time zone)
is carried over, a refusal keeps what was typed, and a customer with none gets the form open."""

from __future__ import annotations

import json

import httpx

from tests.support.web.console import StubConsole, csrf, problem

SAVED = {"customer_id": "cust-7", "name": "Margaret Hale", "email": "m@example.co.uk",
         "phone": None, "push_tokens": ["tok-app-1"], "locale": "en-GB",
         "time_zone": "Europe/London", "updated_at": None}  # fmt: skip
EMPTY = {"items": [], "next_cursor": None}


def gateway(contact: httpx.Response, put: httpx.Response):  # type: ignore[no-untyped-def]
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/me/contact":
            return put if request.method == "PUT" else contact
        return httpx.Response(200, json=EMPTY)

    return answer


def form(page: str, **fields: str) -> dict[str, str]:
    return {"csrf_token": csrf(page.split('id="contact-details"')[1]), "name": "Margaret Hale",
            "email": "", "phone": "", "locale": "en-GB", **fields}  # fmt: skip


def test_a_corrected_number_keeps_her_push_tokens_and_time_zone(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    agent = stub_console(gateway(httpx.Response(200, json=SAVED),
                                 httpx.Response(200, json=SAVED)), role="agent")  # fmt: skip
    page = agent.get("/agent/customers/cust-7").text
    assert '<details class="card" id="contact-details" >' in page  # closed: she has details
    r = agent.post("/agent/customers/cust-7/contact", follow_redirects=False,
                   data=form(page, email="m@example.co.uk", phone="+44 7700 900123"))  # fmt: skip
    assert r.status_code == 303 and r.headers["location"] == "/agent/customers/cust-7"
    [put] = [c for c in gateway_calls if c.method == "PUT"]
    assert put.url.params["customer_id"] == "cust-7"
    assert json.loads(put.content) == {
        "name": "Margaret Hale", "email": "m@example.co.uk", "phone": "+44 7700 900123",
        "push_tokens": ["tok-app-1"], "locale": "en-GB", "time_zone": "Europe/London",
    }  # fmt: skip
    assert "Contact details saved for cust-7" in agent.get("/agent/customers/cust-7").text


def test_a_refused_address_comes_back_as_typed(stub_console: StubConsole) -> None:
    refused = problem(422, "notifications_invalid_email")
    agent = stub_console(gateway(problem(404, "notifications_contact_not_found"), refused),
                         role="agent")  # fmt: skip
    page = agent.get("/agent/customers/cust-7").text
    assert 'id="contact-details" open>' in page and "Add her contact details" in page
    r = agent.post("/agent/customers/cust-7/contact",
                   data=form(page, email="margaret@example"))  # fmt: skip
    assert r.status_code == 422
    assert 'value="margaret@example"' in r.text and 'id="contact-details" open>' in r.text
    assert "That email address is not valid" in r.text
