"""A refused claim form comes back as it was filled in: the check again, with the parts ticked,
the cause chosen, the description written and (for an agent) the customer's id, next to what
to fix. Nothing was opened, and the form carries a fresh key."""

from __future__ import annotations

import json

import httpx

from tests.support.web.console import StubConsole, csrf, problem

VERDICT = {"covered": True, "coverage_start": "2025-03-01", "coverage_end": "2027-03-01",
           "months": 24, "rule": "label_date", "policy_version": "2026-1", "floor_applied": False,
           "reasons": ["Made in week 9 of 2025."], "label": None}  # fmt: skip
TYPED = {"region": "UK", "label_code": "VT01-1234", "components": ["zips", "straps"],
         "cause": "accident", "description": "The zip came apart on the second day."}  # fmt: skip


def gateway(refusal: httpx.Response):  # type: ignore[no-untyped-def]
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/warranty/check":
            return httpx.Response(200, json=VERDICT)
        if request.url.path == "/v1/claims" and request.method == "POST":
            return refusal
        return httpx.Response(200, json={"items": [], "next_cursor": None})

    return answer


def test_a_customers_refused_claim_keeps_what_she_wrote(stub_console: StubConsole) -> None:
    me = stub_console(gateway(problem(409, "claim_already_open")), role="customer")
    form = {"csrf_token": csrf(me.get("/warranty").text), "form_key": "k-1", **TYPED}
    page = me.post("/claims", data=form)
    assert page.status_code == 422
    assert "This item already has an open claim" in page.text  # what happened
    assert ">The zip came apart on the second day.</textarea>" in page.text
    assert 'value="zips" checked' in page.text and 'value="straps" checked' in page.text
    assert 'value="handles" checked' not in page.text
    assert 'value="accident" selected' in page.text
    assert 'name="form_key" value="k-1"' not in page.text  # a fresh key for the next try


def test_an_agent_who_forgot_the_customer_keeps_the_form(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    agent = stub_console(gateway(httpx.Response(201, json={"id": "CLM-1"})))
    form = {"csrf_token": csrf(agent.get("/warranty").text), "form_key": "k-2", **TYPED,
            "customer_id": ""}  # fmt: skip
    page = agent.post("/agent/claims", data=form)
    assert page.status_code == 422 and "customer_id_missing" in page.text
    assert ">The zip came apart on the second day.</textarea>" in page.text
    assert not [r for r in gateway_calls if r.method == "POST" and r.url.path == "/v1/claims"]
    sent = [json.loads(r.content) for r in gateway_calls if r.url.path == "/v1/warranty/check"]
    assert sent[-1] == {"region": "UK", "label_code": "VT01-1234"}  # the same check again
