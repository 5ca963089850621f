"""A refused settings form or agent step comes back as it was filled in (status 422), next to
what to fix: nothing was saved or done, and nothing typed is lost. A refused field that sits in a
live part is marked `data-kept`, so a live refresh waits instead of clearing it."""

from __future__ import annotations

import json

import httpx

from tests.support.web.console import StubConsole, csrf, problem

CONTACT = {"name": "Ada", "email": "ada@example.com", "phone": None, "push_tokens": ["tok-1"],
           "locale": "en-GB", "time_zone": "Europe/London"}  # fmt: skip
PREFS = {"transactional": ["email"], "marketing": [], "kind_overrides": {}, "quiet_hours": None}
CLAIM = {
    "id": "CLM-1", "customer_id": "cust-1", "region": "UK", "status": "in_transit_back",
    "submitted_at": "2026-12-01T10:00:00Z", "components": ["zips"], "cause": "accident",
    "description": None, "review_reasons": [], "decision": None, "rma": None,
    "resolution": None, "shipment": None, "evidence_photo": False,
    "item": {"category": "handbag", "style_code": "VT01", "label_code": None},
    "sla": {"status": "on_track", "breached_at": None, "at_risk_at": None},
    "allowed_actions": ["ship_back", "cancel"],
}  # fmt: skip


def settings_gateway(refusal: httpx.Response):  # type: ignore[no-untyped-def]
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            return refusal
        return httpx.Response(200, json=CONTACT if request.url.path == "/v1/me/contact" else PREFS)

    return answer


def claim_gateway(refusal: httpx.Response, claim: dict | None = None):  # type: ignore[no-untyped-def]
    def answer(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return refusal
        if request.url.path.endswith("/timeline"):
            return httpx.Response(200, json={"entries": []})
        if request.url.path == "/v1/claims/CLM-1":
            return httpx.Response(200, json=claim or CLAIM)
        return httpx.Response(200, json={"items": [], "next_cursor": None})  # the queue

    return answer


def test_a_refused_contact_form_keeps_what_she_typed(stub_console: StubConsole) -> None:
    me = stub_console(settings_gateway(problem(422, "invalid_phone")), role="customer")
    form = {"csrf_token": csrf(me.get("/settings").text), "name": "Ada Lovelace",
            "email": "ada@example.com", "phone": "07700 9001", "locale": "en-GB",
            "time_zone": "Europe/London"}  # fmt: skip
    page = me.post("/settings/contact", data=form)
    assert page.status_code == 422
    assert "invalid_phone" in page.text
    assert 'value="07700 9001"' in page.text and 'value="Ada Lovelace"' in page.text


def test_a_saved_contact_form_goes_back_to_the_page(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    me = stub_console(settings_gateway(httpx.Response(200, json=CONTACT)), role="customer")
    form = {"csrf_token": csrf(me.get("/settings").text), "name": "Ada", "locale": "en-GB"}
    answer = me.post("/settings/contact", data=form, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/settings"
    sent = [json.loads(r.content) for r in gateway_calls if r.method == "PUT"]
    assert sent[-1]["push_tokens"] == ["tok-1"]  # the app's tokens are kept as they were


def test_quiet_hours_with_one_end_are_refused_before_the_api(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    me = stub_console(settings_gateway(httpx.Response(200, json=PREFS)), role="customer")
    form = {"csrf_token": csrf(me.get("/settings").text), "transactional": ["email", "sms"],
            "quiet_start": "22:00", "quiet_end": ""}  # fmt: skip
    page = me.post("/settings/preferences", data=form)
    assert page.status_code == 422 and "quiet_hours_incomplete" in page.text
    assert 'value="22:00"' in page.text and 'value="sms" checked' in page.text
    assert not [r for r in gateway_calls if r.method == "PUT"]


def test_refused_preferences_keep_the_ticked_channels(stub_console: StubConsole) -> None:
    me = stub_console(settings_gateway(problem(422, "transactional_channel_required")),
                      role="customer")  # fmt: skip
    form = {"csrf_token": csrf(me.get("/settings").text), "marketing": ["push"]}
    page = me.post("/settings/preferences", data=form)
    assert page.status_code == 422 and "transactional_channel_required" in page.text
    assert page.text.count(" checked") == 1 and 'name="marketing" value="push" checked' in page.text


def test_a_refused_step_keeps_the_agents_typing(stub_console: StubConsole) -> None:
    agent = stub_console(claim_gateway(problem(422, "validation_error")))
    form = {"csrf_token": csrf(agent.get("/agent/claims/CLM-1").text), "form_key": "k-1",
            "carrier": "DPD", "tracking_number": "1Z 999"}  # fmt: skip
    page = agent.post("/agent/claims/CLM-1/ship_back", data=form)
    assert page.status_code == 422
    assert 'value="DPD" data-kept' in page.text and 'value="1Z 999" data-kept' in page.text
    assert 'id="cancel-reason" name="reason" maxlength="500" value="">' in page.text  # not kept
    assert 'name="form_key" value="k-1"' not in page.text  # a fresh key for the next try


def test_an_unticked_cancel_keeps_the_reason_and_calls_nothing(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    agent = stub_console(claim_gateway(httpx.Response(200, json=CLAIM)))
    form = {"csrf_token": csrf(agent.get("/agent/claims/CLM-1").text), "form_key": "k-2",
            "reason": "Customer asked by phone"}  # fmt: skip
    page = agent.post("/agent/claims/CLM-1/cancel", data=form)
    assert page.status_code == 422 and "confirmation_required" in page.text
    assert 'value="Customer asked by phone" data-kept' in page.text
    assert not [r for r in gateway_calls if r.method == "POST" and "/v1/" in r.url.path]


def test_an_untouched_claim_page_keeps_nothing(stub_console: StubConsole) -> None:
    page = stub_console(claim_gateway(problem(500, "unused"))).get("/agent/claims/CLM-1")
    assert page.status_code == 200 and "data-kept" not in page.text
    assert 'id="carrier" name="carrier" required maxlength="60" value="Royal Mail">' in page.text


def test_a_customers_unticked_cancel_keeps_her_reason_and_calls_nothing(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    mine = {**CLAIM, "status": "awaiting_item", "allowed_actions": ["cancel"]}
    me = stub_console(claim_gateway(httpx.Response(200, json=mine), claim=mine), role="customer")
    form = {"csrf_token": csrf(me.get("/claims/CLM-1").text), "reason": "Found the receipt"}
    page = me.post("/claims/CLM-1/cancel", data=form)
    assert page.status_code == 422 and "confirmation_required" in page.text
    assert 'value="Found the receipt" data-kept' in page.text
    assert not [r for r in gateway_calls if r.method == "POST" and "/v1/" in r.url.path]


def test_a_customers_refused_cancel_keeps_her_reason(stub_console: StubConsole) -> None:
    mine = {**CLAIM, "status": "awaiting_item", "allowed_actions": ["cancel"]}
    me = stub_console(claim_gateway(problem(409, "claim_not_cancellable"), claim=mine),
                      role="customer")  # fmt: skip
    form = {"csrf_token": csrf(me.get("/claims/CLM-1").text), "reason": "Found the receipt",
            "confirm": "yes"}  # fmt: skip
    page = me.post("/claims/CLM-1/cancel", data=form)
    assert page.status_code == 422 and "claim_not_cancellable" in page.text
    assert 'value="Found the receipt" data-kept' in page.text


def test_reject_and_store_credit_need_their_box_and_keep_the_typing(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    """Both end the claim for good (the customer is told): like cancelling, each asks for a
    ticked box, and the route checks it again before calling the API."""
    deciding = {**CLAIM, "status": "needs_review", "allowed_actions": ["approve", "reject"]}
    agent = stub_console(claim_gateway(httpx.Response(200, json=deciding), claim=deciding))
    page = agent.get("/agent/claims/CLM-1").text
    assert 'name="confirm" value="yes">' in page  # asked, but not required: Approve needs none
    form = {"csrf_token": csrf(page), "form_key": "k", "reason": "Label altered"}
    refused = agent.post("/agent/claims/CLM-1/reject", data=form)
    assert refused.status_code == 422 and "The claim was not rejected" in refused.text
    assert "Yes, reject claim CLM-1" in refused.text and ">Label altered</textarea>" in refused.text
    credit = agent.post("/agent/claims/CLM-1/issue_store_credit", data=form)
    assert credit.status_code == 422 and "No store credit was issued" in credit.text
    assert not [r for r in gateway_calls if r.method == "POST" and "/v1/claims/" in r.url.path]
    agent.post("/agent/claims/CLM-1/reject", data={**form, "confirm": "yes"})
    assert [
        r.url.path for r in gateway_calls if r.method == "POST" and "/v1/claims/" in r.url.path
    ] == ["/v1/claims/CLM-1/decision"]


def test_a_service_away_keeps_the_form_and_the_page_address(stub_console: StubConsole) -> None:
    """A 503 behind the gateway is told beside the form, which keeps what was typed; the page
    names its own address (the POST's takes posts only), for the formats switch and the
    browser's address bar."""
    me = stub_console(settings_gateway(problem(503, "upstream_unavailable")), role="customer")
    form = {"csrf_token": csrf(me.get("/settings").text), "name": "Ada Lovelace", "locale": "en-GB"}
    page = me.post("/settings/contact", data=form)
    assert page.status_code == 422 and 'value="Ada Lovelace"' in page.text
    assert "upstream_unavailable" in page.text
    assert 'data-page="/settings"' in page.text and 'name="next" value="/settings"' in page.text


def test_a_timeout_keeps_the_forms_key_and_a_bug_is_an_error_page(
    stub_console: StubConsole,
) -> None:
    """After a 504 the step may have been done: the form comes back with the key it was sent
    with, so sending it again is answered once. A 500 is a bug: the error page, with its
    reference, not a message beside the form."""
    form_of = lambda page: {"csrf_token": csrf(page), "form_key": "k-9", "carrier": "DPD",  # noqa: E731
                            "tracking_number": "1Z999"}  # fmt: skip
    agent = stub_console(claim_gateway(problem(504, "upstream_timeout")))
    page = agent.post(
        "/agent/claims/CLM-1/ship_back", data=form_of(agent.get("/agent/claims/CLM-1").text)
    )
    assert page.status_code == 422 and 'name="form_key" value="k-9"' in page.text
    agent = stub_console(claim_gateway(problem(500, "internal_error", correlation_id="corr-7")))
    page = agent.post(
        "/agent/claims/CLM-1/ship_back", data=form_of(agent.get("/agent/claims/CLM-1").text)
    )
    assert page.status_code == 500 and "corr-7" in page.text
