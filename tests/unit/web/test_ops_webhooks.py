"""Managing partners' webhook endpoints from the Operations page, against a stub API: the event
types offered come from the gateway's AsyncAPI document, grouped by family; the signing secret
is shown once, in the answer to the form's POST (never in an address, the session cookie or a
log line); rotating and deleting need their box ticked, checked again by the route; a refused
registration comes back as it was filled in, its refusal in words; customers get no such page."""

from __future__ import annotations

import base64
import json
import logging

import httpx
import pytest

from tests.support.web.console import StubConsole, csrf, problem

SECRET = "whsec_c2VjcmV0LW9uY2UtYW5kLW5ldmVyLWFnYWlu"
NEW_SECRET = "whsec_bmV3LXNlY3JldC1hZnRlci1yb3RhdGlvbg=="
ASYNCAPI = {
    "asyncapi": "3.0.0",
    "components": {"messages": {
        "warranty_claim_approved": {"name": "warranty.claim.approved",
                                    "summary": "The claim was approved."},
        "warranty_claim_shipped_back": {"name": "warranty.claim.shipped_back",
                                        "summary": "The item was sent back."},
        "orders_order_shipped": {"name": "orders.order.shipped", "summary": "The order shipped."},
        "orders_return_refunded": {"name": "orders.return.refunded",
                                   "summary": "The return was refunded."},
    }},
}  # fmt: skip
ENDPOINT = {"id": "we_1", "url": "https://workshop.example/hooks", "description": "Workshop",
            "event_types": ["warranty.claim.approved", "orders.order.shipped"], "enabled": True,
            "disabled_reason": None, "created_at": "2026-12-07T10:00:00Z",
            "secret_rotation_until": None}  # fmt: skip
EMPTY = {"items": [], "next_cursor": None}
PARTNERS = [
    {"key_id": "3f2a9c1d0b7e6a54", "name": "Hale repairs", "event_types": ["warranty.claim.*"],
     "actions": ["webhooks.manage"], "created_at": "2026-12-01T10:00:00Z", "revoked_at": None},
    {"key_id": "0b7e6a543f2a9c1d", "name": "Old carrier", "event_types": ["orders.order.*"],
     "actions": ["webhooks.manage"], "created_at": "2026-11-01T10:00:00Z",
     "revoked_at": "2026-11-20T10:00:00Z"},
]  # fmt: skip


def gateway(create: httpx.Response | None = None, rotate: httpx.Response | None = None,
            delete: httpx.Response | None = None):  # type: ignore[no-untyped-def]  # fmt: skip
    def answer(request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        if path == "/asyncapi.json":
            return httpx.Response(200, json=ASYNCAPI)
        if method == "POST" and path == "/v1/webhooks":
            return create or httpx.Response(201, json={**ENDPOINT, "secret": SECRET})
        if method == "POST" and path == "/v1/webhooks/we_1/rotate-secret":
            return rotate or httpx.Response(200, json={
                "endpoint_id": "we_1", "secret": NEW_SECRET,
                "previous_valid_until": "2026-12-08T10:00:00Z"})  # fmt: skip
        if method == "DELETE" and path == "/v1/webhooks/we_1":
            return delete or httpx.Response(204)
        if path == "/v1/webhooks/we_1":
            return httpx.Response(200, json=ENDPOINT)
        if path == "/v1/webhooks":
            return httpx.Response(200, json={"items": [ENDPOINT], "next_cursor": None})
        if path == "/v1/partners":
            return httpx.Response(200, json={"items": PARTNERS, "next_cursor": None})
        return httpx.Response(200, json=EMPTY)  # deliveries, dead letters

    return answer


def sent(calls: list[httpx.Request], method: str, path: str) -> list[httpx.Request]:
    return [r for r in calls if r.method == method and r.url.path == path]


def cookie_text(client) -> str:  # type: ignore[no-untyped-def]
    """Every cookie the console set, its signed session payload decoded."""
    texts = []
    for value in client.cookies.values():
        payload = value.split(".")[0]
        texts.append(
            value + base64.b64decode(payload + "=" * (-len(payload) % 4)).decode(errors="replace")
        )
    return " ".join(texts)


def test_the_form_offers_the_apis_event_types_grouped_by_family(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    page = stub_console(gateway()).get("/agent/ops/webhooks/new")
    assert page.status_code == 200
    assert sent(gateway_calls, "GET", "/asyncapi.json")  # the list is the API's, not a copy
    text = page.text
    for family in ("warranty.claim", "orders.order", "orders.return"):
        assert f"<legend>{family}" in text
        assert f'name="event_types" value="{family}.*"' in text  # the whole family, later ones too
    assert 'name="event_types" value="warranty.claim.shipped_back"' in text
    assert "The item was sent back." in text
    assert text.index("<legend>warranty.claim") < text.index('value="warranty.claim.approved"')
    assert 'name="url"' in text and 'name="description"' in text


def test_the_operations_list_links_to_the_form(stub_console: StubConsole) -> None:
    page = stub_console(gateway()).get("/agent/ops").text
    assert 'href="/agent/ops/webhooks/new"' in page


def test_registering_shows_the_secret_once_and_nowhere_else(
    stub_console: StubConsole,
    gateway_calls: list,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)  # the stdlib's loggers (uvicorn, httpx)
    agent = stub_console(gateway())
    form = {"csrf_token": csrf(agent.get("/agent/ops/webhooks/new").text), "form_key": "k-new", "partner_key_id": "brand",
            "url": "https://workshop.example/hooks", "description": "Workshop",
            "event_types": ["warranty.claim.approved", "orders.order.shipped"]}  # fmt: skip
    page = agent.post("/agent/ops/webhooks", data=form, follow_redirects=False)
    assert page.status_code == 200 and SECRET in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "will not be shown again" in page.text
    assert "webhook-signature" in page.text and "webhook-timestamp" in page.text
    assert 'data-page="/agent/ops/webhooks/we_1"' in page.text  # a reload asks for the page
    [create] = sent(gateway_calls, "POST", "/v1/webhooks")
    assert create.headers["Idempotency-Key"] == "k-new"
    assert json.loads(create.content) == {
        "url": "https://workshop.example/hooks", "description": "Workshop",
        "event_types": ["warranty.claim.approved", "orders.order.shipped"]}  # fmt: skip
    printed = capsys.readouterr()  # the console's own log lines (structlog prints them)
    assert SECRET not in cookie_text(agent) and SECRET not in caplog.text
    assert SECRET not in printed.out + printed.err
    later = agent.get("/agent/ops/webhooks/we_1")
    assert later.status_code == 200 and SECRET not in later.text
    assert "https://workshop.example/hooks" in later.text


def test_a_refused_registration_keeps_the_form_and_says_why(stub_console: StubConsole) -> None:
    agent = stub_console(gateway(create=problem(422, "webhooks_https_required")))
    form = {"csrf_token": csrf(agent.get("/agent/ops/webhooks/new").text), "form_key": "k", "partner_key_id": "brand",
            "url": "http://workshop.example/hooks", "description": "Workshop",
            "event_types": ["warranty.claim.*", "orders.order.shipped"]}  # fmt: skip
    page = agent.post("/agent/ops/webhooks", data=form)
    assert page.status_code == 422 and "webhooks_https_required" in page.text
    assert "https://" in page.text.split("webhooks_https_required")[0]  # the sentence says https
    assert 'value="http://workshop.example/hooks"' in page.text
    assert ">Workshop</textarea>" in page.text
    assert 'value="warranty.claim.*" checked' in page.text
    assert 'value="orders.order.shipped" checked' in page.text
    assert 'value="orders.return.refunded" checked' not in page.text
    assert 'data-page="/agent/ops/webhooks/new"' in page.text


def test_an_unreachable_target_is_said_in_words(stub_console: StubConsole) -> None:
    refusal = problem(403, "webhooks_target_refused",
                      details={"reason": "unresolvable", "url": "https://nowhere.invalid/"})  # fmt: skip
    agent = stub_console(gateway(create=refusal))
    form = {"csrf_token": csrf(agent.get("/agent/ops/webhooks/new").text), "form_key": "k", "partner_key_id": "brand",
            "url": "https://nowhere.invalid/", "event_types": ["orders.order.shipped"]}  # fmt: skip
    page = agent.post("/agent/ops/webhooks", data=form)
    assert page.status_code == 422 and "webhooks_target_refused" in page.text
    assert "could not be found" in page.text
    assert "Your account cannot do this" not in page.text  # not the 403's generic sentence


def test_no_event_type_is_refused_before_the_api(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    agent = stub_console(gateway())
    form = {"csrf_token": csrf(agent.get("/agent/ops/webhooks/new").text), "form_key": "k", "partner_key_id": "brand",
            "url": "https://workshop.example/hooks"}  # fmt: skip
    page = agent.post("/agent/ops/webhooks", data=form)
    assert page.status_code == 422 and "event_types_required" in page.text
    assert 'value="https://workshop.example/hooks"' in page.text
    assert not sent(gateway_calls, "POST", "/v1/webhooks")


@pytest.mark.parametrize(("step", "box", "method", "api_path"), [
    ("rotate-secret", "Yes, replace the signing secret of we_1", "POST",
     "/v1/webhooks/we_1/rotate-secret"),
    ("delete", "Yes, delete endpoint we_1", "DELETE", "/v1/webhooks/we_1"),
])  # fmt: skip
def test_a_final_step_needs_its_box_checked_by_the_route(
    stub_console: StubConsole, gateway_calls: list, step: str, box: str, method: str,
    api_path: str,
) -> None:  # fmt: skip
    agent = stub_console(gateway())
    page = agent.get("/agent/ops/webhooks/we_1").text
    assert box in page and 'name="confirm" value="yes" required' in page
    form = {"csrf_token": csrf(page), "form_key": f"k-{step}", "status": "dead_letter"}
    refused = agent.post(f"/agent/ops/webhooks/we_1/{step}", data=form)
    assert refused.status_code == 422 and "confirmation_required" in refused.text
    assert 'data-page="/agent/ops/webhooks/we_1?status=dead_letter"' in refused.text
    assert not sent(gateway_calls, method, api_path)
    agent.post(f"/agent/ops/webhooks/we_1/{step}", data={**form, "confirm": "yes"})
    [call] = sent(gateway_calls, method, api_path)
    assert call.headers["Idempotency-Key"] == f"k-{step}"


def test_a_rotation_shows_the_new_secret_once_and_the_overlap(stub_console: StubConsole) -> None:
    agent = stub_console(gateway())
    form = {"csrf_token": csrf(agent.get("/agent/ops/webhooks/we_1").text), "confirm": "yes"}
    shown = agent.post("/agent/ops/webhooks/we_1/rotate-secret", data=form)
    assert shown.status_code == 200 and NEW_SECRET in shown.text
    assert "will not be shown again" in shown.text
    assert "8 Dec 2026, 10:00 GMT" in shown.text  # until when the old secret still signs
    assert NEW_SECRET not in cookie_text(agent)
    assert NEW_SECRET not in agent.get("/agent/ops/webhooks/we_1").text


def test_a_deletion_goes_back_to_the_list_which_says_so(stub_console: StubConsole) -> None:
    agent = stub_console(gateway())
    form = {"csrf_token": csrf(agent.get("/agent/ops/webhooks/we_1").text), "confirm": "yes"}
    done = agent.post("/agent/ops/webhooks/we_1/delete", data=form, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/agent/ops#hooks-title"
    listed = agent.get("/agent/ops").text
    assert "Endpoint deleted" in listed and "we_1 receives nothing more" in listed


def test_a_refused_rotation_is_shown_on_the_endpoints_page(stub_console: StubConsole) -> None:
    agent = stub_console(gateway(rotate=problem(504, "upstream_timeout")))
    form = {"csrf_token": csrf(agent.get("/agent/ops/webhooks/we_1").text), "form_key": "k-9",
            "confirm": "yes"}  # fmt: skip
    page = agent.post("/agent/ops/webhooks/we_1/rotate-secret", data=form)
    assert page.status_code == 422 and "upstream_timeout" in page.text
    assert 'name="form_key" value="k-9"' in page.text  # sent again, answered once


def test_customers_get_no_such_page(stub_console: StubConsole, gateway_calls: list) -> None:
    me = stub_console(gateway(), role="customer")
    assert me.get("/agent/ops/webhooks/new").status_code == 404
    token = csrf(me.get("/warranty").text)
    for path in ("/agent/ops/webhooks", "/agent/ops/webhooks/we_1/rotate-secret",
                 "/agent/ops/webhooks/we_1/delete"):  # fmt: skip
        answer = me.post(path, data={"csrf_token": token, "confirm": "yes",
                                     "url": "https://x.example/", "event_types": ["*"]})  # fmt: skip
        assert answer.status_code == 404
    assert not [r for r in gateway_calls if r.method in ("POST", "DELETE")]


def test_an_endpoint_is_registered_for_the_partner_chosen(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    """The form offers the partners' live keys (a revoked one is not offered); the one chosen
    goes to the API as `partner_key_id`, and the list names each endpoint's partner."""
    agent = stub_console(gateway())
    page = agent.get("/agent/ops/webhooks/new").text
    assert '<option value="3f2a9c1d0b7e6a54">Hale repairs' in page
    assert "Old carrier" not in page and "the brand's own endpoint" in page
    form = {"csrf_token": csrf(page), "form_key": "k-for", "url": "https://hale.example/hooks",
            "event_types": ["warranty.claim.*"], "partner_key_id": "3f2a9c1d0b7e6a54"}  # fmt: skip
    unchosen = agent.post("/agent/ops/webhooks", data={**form, "partner_key_id": ""})
    assert unchosen.status_code == 422 and "partner_required" in unchosen.text
    assert 'value="" disabled selected' in unchosen.text  # still to choose, the rest kept
    assert 'value="https://hale.example/hooks"' in unchosen.text
    assert agent.post("/agent/ops/webhooks", data=form).status_code == 200
    [create] = sent(gateway_calls, "POST", "/v1/webhooks")  # the unchosen one never went
    assert json.loads(create.content)["partner_key_id"] == "3f2a9c1d0b7e6a54"
    owned = {**ENDPOINT, "owner": "3f2a9c1d0b7e6a54"}
    listing = stub_console(lambda r: httpx.Response(200, json={
        "items": [owned] if r.url.path == "/v1/webhooks" else
        PARTNERS if r.url.path == "/v1/partners" else [], "next_cursor": None}))  # fmt: skip
    assert "<td>Hale repairs</td>" in listing.get("/agent/ops").text


def test_a_partner_revoked_meanwhile_is_chosen_again_not_replaced(
    stub_console: StubConsole,
) -> None:
    """The key chosen was revoked before the form was sent: the API refuses it, and the form
    comes back asking whom it is for, never with another partner preselected in its place."""
    agent = stub_console(gateway(create=problem(422, "partner_key_unknown")))
    page = agent.get("/agent/ops/webhooks/new").text
    form = {"csrf_token": csrf(page), "form_key": "k-gone", "url": "https://gone.example/hooks",
            "event_types": ["warranty.claim.*"], "partner_key_id": "0b7e6a543f2a9c1d"}  # fmt: skip
    again = agent.post("/agent/ops/webhooks", data=form)
    assert again.status_code == 422 and "partner_key_unknown" in again.text
    assert 'value="" disabled selected' in again.text
    options = again.text.split('id="partner"')[1].split("</select>")[0]
    assert options.count(" selected>") == 1  # the placeholder's only


def test_unreadable_partners_say_so(stub_console: StubConsole) -> None:
    def away(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/partners":
            return problem(503, "upstream_unavailable")
        return gateway()(request)

    page = stub_console(away).get("/agent/ops/webhooks/new").text
    assert "cannot be read just now" in page
