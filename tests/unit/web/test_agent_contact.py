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
    agent = stub_console(gateway(httpx.Response(200, json=SAVED), refused), role="agent")
    page = agent.get("/agent/customers/cust-7").text
    r = agent.post("/agent/customers/cust-7/contact",
                   data=form(page, email="margaret@example"))  # fmt: skip
    assert r.status_code == 422
    assert 'value="margaret@example"' in r.text and 'id="contact-details" open>' in r.text
    assert "That email address is not valid" in r.text


def test_details_for_an_id_with_nothing_on_record_need_the_id_checked(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    """Nothing on record is most often a misheard id: the form asks to tick that the id was
    checked with the caller, and without it nothing is saved."""
    agent = stub_console(gateway(problem(404, "notifications_contact_not_found"),
                                 httpx.Response(200, json=SAVED)), role="agent")  # fmt: skip
    page = agent.get("/agent/customers/cust-7").text
    assert "Add her contact details" in page
    assert "Yes, cust-7 is the caller&#39;s customer id (checked with her)" in page
    r = agent.post("/agent/customers/cust-7/contact", data=form(page, email="m@example.co.uk"))
    assert r.status_code == 422 and "confirmation_required" in r.text
    assert 'value="m@example.co.uk"' in r.text
    assert not [c for c in gateway_calls if c.method == "PUT"]
    r = agent.post("/agent/customers/cust-7/contact", follow_redirects=False,
                   data=form(page, email="m@example.co.uk", confirm="yes"))  # fmt: skip
    assert r.status_code == 303
    assert len([c for c in gateway_calls if c.method == "PUT"]) == 1


def test_details_that_cannot_be_read_are_not_written_over(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    """Her details briefly unreadable: nothing is written over them (the app's push tokens would
    be lost), and what the agent typed comes back."""
    away = stub_console(gateway(problem(503, "upstream_unavailable"),
                                httpx.Response(200, json=SAVED)), role="agent")  # fmt: skip
    page = away.get("/agent/customers/cust-7").text
    r = away.post("/agent/customers/cust-7/contact", data=form(page, phone="+447700900999"))
    assert r.status_code == 422 and 'value="+447700900999"' in r.text
    assert not [c for c in gateway_calls if c.method == "PUT"]


def test_a_new_language_brings_its_own_zone_unless_one_was_chosen(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    """Her zone was London only because she wrote en-GB: moving her to en-US lets the service
    pick New York; a zone she chose herself (Lisbon) stays whatever her language."""
    for saved_zone, sent_zone in (("Europe/London", None), ("Europe/Lisbon", "Europe/Lisbon")):
        saved = {**SAVED, "time_zone": saved_zone}
        agent = stub_console(gateway(httpx.Response(200, json=saved),
                                     httpx.Response(200, json=saved)), role="agent")  # fmt: skip
        page = agent.get("/agent/customers/cust-7").text
        agent.post("/agent/customers/cust-7/contact", data=form(page, locale="en-US"))
        put = [c for c in gateway_calls if c.method == "PUT"][-1]
        assert json.loads(put.content)["time_zone"] == sent_zone
