"""What people read when the API refuses something: a sentence about what happened (never the
bare HTTP phrase), the API's own detail, the stable code for support, and the reference to quote;
and the page they were on is kept when they change formats."""

from __future__ import annotations

import httpx

from services.web.api import ApiError
from tests.support.web.console import csrf, problem


def test_a_known_code_reads_as_a_sentence() -> None:
    answer = problem(409, "order_already_shipped", correlation_id="corr-1")
    error = ApiError.from_response(answer)
    assert error.title == "The order has already shipped and can no longer be cancelled"
    assert (error.code, error.detail, error.correlation_id) == (
        "order_already_shipped", "order_already_shipped detail", "corr-1")  # fmt: skip


def test_an_unknown_code_falls_back_to_its_status_not_to_the_http_phrase() -> None:
    assert ApiError.from_response(problem(404, "gadget_not_found")).title == (
        "Not found: it does not exist, or not for your account"
    )
    assert ApiError.from_response(problem(418, "teapot")).title == "The request was refused"
    assert ApiError.from_response(problem(502, "odd")).title == "Something went wrong"


def test_the_error_page_names_the_reference_to_quote(stub_console) -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        return problem(404, "claim_not_found", correlation_id="corr-42")

    page = stub_console(gateway, role="customer").get("/claims/CLM-1")
    assert page.status_code == 404
    assert "Claim not found: check the claim number" in page.text
    assert "Not Found" not in page.text  # the bare HTTP phrase
    assert "claim_not_found" in page.text and "corr-42" in page.text


def test_a_refused_action_says_what_happened(stub_console) -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return problem(409, "dead_letter_not_found")
        return httpx.Response(200, json={"items": [], "next_cursor": None})

    agent = stub_console(gateway)
    token = csrf(agent.get("/agent/ops").text)
    page = agent.post("/agent/ops/dead-letters/7/replay", data={"csrf_token": token})
    assert "This event is no longer in the dead-letter queue" in page.text
    assert "dead_letter_not_found" in page.text


def test_changing_formats_keeps_the_page_and_its_query(stub_console) -> None:
    agent = stub_console(lambda r: httpx.Response(200, json={"items": [], "next_cursor": None}))
    page = agent.get("/agent?tab=held")
    assert 'name="next" value="/agent?tab=held"' in page.text
    back = agent.post("/locale", data={"csrf_token": csrf(page.text), "locale": "en-US",
                                       "next": "/agent?tab=held"}, follow_redirects=False)  # fmt: skip
    assert back.headers["location"] == "/agent?tab=held"


def test_a_customers_messages_read_as_words_for_the_agent(stub_console) -> None:
    held = {"message_id": "m1", "kind": "claim_rma_issued", "channel": "email",
            "status": "uncertain", "attempts": 1, "subject": "Your RMA",
            "created_at": "2026-12-05T10:00:00Z", "send_at": "2026-12-05T10:00:00Z",
            "last_error": "SMTPRecipientsRefused: {'ada@example.com': (550, 'no')}",
            "source_event_id": "e1", "source_event_type": "warranty.claim.rma_issued"}  # fmt: skip

    def gateway(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/me/contact":
            return problem(404, "notifications_contact_not_found")
        if request.url.path == "/v1/me/messages":
            return httpx.Response(200, json={"items": [held], "next_cursor": None})
        return httpx.Response(200, json={"items": [], "next_cursor": None})

    page = stub_console(gateway).get("/agent/customers/cust-1")
    assert page.status_code == 200, page.text
    assert "Held: the hand-over broke off" in page.text
    assert "<code>SMTPRecipientsRefused</code>" in page.text
    assert "ada@example.com" not in page.text


def test_a_refused_label_code_marks_what_to_check(stub_console) -> None:
    """'Re-check the marked characters' needs them marked: the API's candidates and positions
    are shown with the problem."""
    details = {"code": "SD-2551-VT02-0012OZ", "positions": [14, 16],
               "candidates": ["SD-2551-VT02-00120Z", "SD-2551-VT02-0O12OZ"]}  # fmt: skip

    def gateway(request: httpx.Request) -> httpx.Response:
        return problem(422, "label_ambiguous_correction", details=details)

    page = stub_console(gateway, role="customer").get("/warranty?code=x&region=UK")
    assert "The label code could be corrected more than one way" in page.text
    assert "<code>SD-2551-VT02-00120Z</code> or <code>SD-2551-VT02-0O12OZ</code>" in page.text
    assert "look again at characters 14, 16" in page.text


def test_the_menu_marks_where_the_agent_is(stub_console) -> None:
    agent = stub_console(lambda r: httpx.Response(200, json={"items": [], "next_cursor": None}))
    held = agent.get("/agent?tab=held").text
    assert '<a href="/agent" aria-current="page">Queue</a>' in held
    assert '<a href="/agent?tab=search">Search</a>' in held
    search = agent.get("/agent?tab=search").text
    assert '<a href="/agent">Queue</a>' in search
    assert '<a href="/agent?tab=search" aria-current="page">Search</a>' in search
