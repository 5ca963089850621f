"""An agent on the phone checks a label for the customer whose page is open: the customer's page
carries her id and region to the check, the check shows whose claim it would open (name and
email from the contact details, or a warning when there are none), and the claim form sends
that id without anyone copying it. A refused claim names the claim already open, and each
reading of an ambiguous label is one click away."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx

from tests.support.web.console import StubConsole, csrf, problem

VERDICT = {"covered": True, "coverage_start": "2025-03-01", "coverage_end": "2027-03-01",
           "months": 24, "rule": "label_date", "policy_version": "2026-1", "floor_applied": False,
           "reasons": ["Made in week 9 of 2025."], "label": None}  # fmt: skip
CONTACT = {"customer_id": "cust-7", "name": "Margaret Hale", "email": "margaret@example.com",
           "phone": None, "push_tokens": [], "locale": "en-US", "time_zone": None,
           "updated_at": None}  # fmt: skip
EMPTY = {"items": [], "next_cursor": None}


class Forms(HTMLParser):
    """Each form's action and method, and the inputs in it (name -> type and value)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action"), "method": a.get("method"), "inputs": {}})
        elif tag == "input" and self.forms and a.get("name"):
            self.forms[-1]["inputs"][a["name"]] = (a.get("type") or "text", a.get("value"))


def forms(html: str, action: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    return [f for f in parser.forms if f["action"] == action]


def gateway(contact: httpx.Response, claim: httpx.Response | None = None,
            check: httpx.Response | None = None):  # type: ignore[no-untyped-def]  # fmt: skip
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/me/contact":
            return contact
        if request.url.path == "/v1/warranty/check":
            return check or httpx.Response(200, json=VERDICT)
        if request.url.path == "/v1/claims" and request.method == "POST" and claim is not None:
            return claim
        return httpx.Response(200, json=EMPTY)

    return answer


def test_the_customers_page_checks_a_label_for_her(stub_console: StubConsole) -> None:
    agent = stub_console(gateway(httpx.Response(200, json=CONTACT)))
    page = agent.get("/agent/customers/cust-7")
    [check] = forms(page.text, "/warranty")
    assert check["method"] == "get"
    assert check["inputs"]["customer_id"] == ("hidden", "cust-7")
    assert check["inputs"]["region"] == ("hidden", "US")  # her formats, not the agent's (en-GB)
    assert "Check a label for this customer" in page.text


def test_the_check_shows_whose_claim_it_opens(
    stub_console: StubConsole, gateway_calls: list[httpx.Request]
) -> None:
    agent = stub_console(gateway(httpx.Response(200, json=CONTACT)))
    page = agent.get("/warranty", params={"code": "VT01-1234", "region": "US",
                                          "customer_id": "cust-7"})  # fmt: skip
    assert page.status_code == 200
    asked = [r for r in gateway_calls if r.url.path == "/v1/me/contact"]
    assert [r.url.params.get("customer_id") for r in asked] == ["cust-7"]
    [claim_form] = forms(page.text, "/agent/claims")
    assert claim_form["inputs"]["customer_id"] == ("hidden", "cust-7")  # nothing to copy
    assert claim_form["inputs"]["region"] == ("hidden", "US")
    whose = page.text.split('id="whose"')[1].split("</div>")[0]
    assert "Margaret Hale" in whose and "margaret@example.com" in whose
    # A second check from the page stays for her.
    [check] = forms(page.text, "/warranty")
    assert check["inputs"]["customer_id"] == ("hidden", "cust-7")


def test_a_customer_without_contact_details_is_a_warning(stub_console: StubConsole) -> None:
    agent = stub_console(gateway(problem(404, "contact_not_found")))
    page = agent.get("/warranty", params={"code": "VT01-1234", "customer_id": "cust-typo"})
    whose = page.text.split('id="whose"')[1].split("</div>")[0]
    assert 'role="alert"' in whose and "no contact details" in whose


def test_a_customer_cannot_name_another_customer(
    stub_console: StubConsole, gateway_calls: list[httpx.Request]
) -> None:
    me = stub_console(gateway(httpx.Response(200, json=CONTACT)), role="customer")
    page = me.get("/warranty", params={"code": "VT01-1234", "customer_id": "cust-7"})
    assert page.status_code == 200 and 'id="for-customer"' not in page.text
    assert "customer_id" not in forms(page.text, "/warranty")[0]["inputs"]
    assert not [r for r in gateway_calls if r.url.path == "/v1/me/contact"]


def test_a_refused_claim_links_the_claim_already_open(stub_console: StubConsole) -> None:
    open_one = problem(409, "claim_already_open", details={"item_key": "k", "claim_id": "CLM-9"})
    agent = stub_console(gateway(httpx.Response(200, json=CONTACT), open_one))
    form = {"csrf_token": csrf(agent.get("/warranty").text), "form_key": "k-1", "region": "UK",
            "label_code": "VT01-1234", "components": ["zips"], "customer_id": "cust-7"}  # fmt: skip
    page = agent.post("/agent/claims", data=form)
    assert page.status_code == 422
    assert 'href="/agent/claims/CLM-9"' in page.text
    # The form comes back for the same customer, with whose details those are.
    assert forms(page.text, "/agent/claims")[0]["inputs"]["customer_id"] == ("hidden", "cust-7")

    me = stub_console(gateway(httpx.Response(200, json=CONTACT), open_one), role="customer")
    form["csrf_token"] = csrf(me.get("/warranty").text)
    assert 'href="/claims/CLM-9"' in me.post("/claims", data=form).text


def test_each_reading_of_an_ambiguous_label_is_a_link(stub_console: StubConsole) -> None:
    ambiguous = problem(422, "label_ambiguous_correction",
                        details={"candidates": ["SD-2551-VT02-00120Z", "SD-2551-VT02-0012OZ"]})  # fmt: skip

    page = stub_console(gateway(httpx.Response(200, json=CONTACT), check=ambiguous)).get("/warranty", params={"code": "sd2s51", "region": "US",
                                                          "customer_id": "cust-7"})  # fmt: skip
    for reading in ("SD-2551-VT02-00120Z", "SD-2551-VT02-0012OZ"):
        assert f'href="/warranty?code={reading}&amp;region=US&amp;customer_id=cust-7"' in page.text
