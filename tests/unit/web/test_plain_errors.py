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
    # Each reading is a link that checks it (tests/unit/web/test_warranty_for_customer.py).
    assert ("<code>SD-2551-VT02-00120Z</code></a> or <a href=\"/warranty?code=SD-2551-VT02-0O12OZ"
            "&amp;region=UK\"><code>SD-2551-VT02-0O12OZ</code>") in page.text  # fmt: skip
    assert "look again at characters 14, 16" in page.text


def test_the_menu_marks_where_the_agent_is(stub_console) -> None:
    agent = stub_console(lambda r: httpx.Response(200, json={"items": [], "next_cursor": None}))
    held = agent.get("/agent?tab=held").text
    assert '<a href="/agent" aria-current="page">Queue</a>' in held
    assert '<a href="/agent?tab=search">Search</a>' in held
    search = agent.get("/agent?tab=search").text
    assert '<a href="/agent">Queue</a>' in search
    assert '<a href="/agent?tab=search" aria-current="page">Search</a>' in search


def test_a_refused_body_says_which_fields_to_fix() -> None:
    """The gateway refuses a body's shape itself (`validation_error`), before any service could
    answer with a code of its own: the fields it names read as what to fix in the form."""
    errors = [{"loc": ["body", "components"], "message": "too short", "type": "too_short"},
              {"loc": ["body", "phone"], "message": "pattern", "type": "string_pattern_mismatch"},
              {"loc": ["body", "quiet_hours", "start"], "message": "bad", "type": "x"},
              {"loc": ["body", "components", 0], "message": "not a part", "type": "enum"},
              {"loc": ["body", "gift_wrap"], "message": "extra", "type": "extra_forbidden"}]  # fmt: skip
    error = ApiError.from_response(problem(422, "validation_error", errors=errors))
    assert error.title == "Some of what was sent was not accepted"
    assert error.detail == (
        "Choose at least one part that is damaged. "
        "Write the phone number with its country code, such as +44 7700 900123. "
        "Give the quiet hours as two times, such as 21:00 and 08:00. Check gift wrap."
    )


def test_a_refused_body_naming_no_field_keeps_the_apis_detail() -> None:
    for errors in (None, [], "not a list", [{"loc": ["body"]}], [{"loc": "body"}]):
        answer = problem(422, "validation_error", errors=errors)
        assert ApiError.from_response(answer).detail == "validation_error detail"


def test_a_refused_claim_form_names_the_missing_part(stub_console) -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        if request.method == "POST" and request.url.path == "/v1/claims":
            return problem(422, "validation_error", errors=[
                {"loc": ["body", "components"], "message": "too short", "type": "too_short"}])  # fmt: skip
        return httpx.Response(200, json={"items": [], "next_cursor": None})

    customer = stub_console(gateway, role="customer")
    token = csrf(customer.get("/warranty").text)
    page = customer.post("/claims", data={"csrf_token": token, "region": "UK",
                                                   "label_code": "VT01-1234", "form_key": "k1"})  # fmt: skip
    assert "Choose at least one part that is damaged." in page.text
    assert "The request has invalid fields." not in page.text


def test_an_expired_session_on_the_warranty_check_asks_to_sign_in_again(stub_console) -> None:
    customer = stub_console(lambda request: problem(401, "token_expired"), role="customer")
    back = customer.get("/warranty?code=VT01-1234&region=UK", follow_redirects=False)
    assert back.status_code == 303
    assert back.headers["location"] == "/sign-in?next=/warranty%3Fcode%3DVT01-1234%26region%3DUK"
    assert customer.get("/claims", follow_redirects=False).status_code == 303  # signed out


def test_a_cancel_without_its_box_ticked_is_refused_and_the_api_is_not_called(
    stub_console, gateway_calls
) -> None:
    """Cancelling a claim or an order cannot be undone: a post without the ticked box (no HTML
    validation, a crafted form) changes nothing and says what to do."""

    def gateway(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"id": "CLM-1", "status": "cancelled"})

    customer = stub_console(gateway, role="customer")
    token = csrf(customer.get("/sign-in").text)
    # The claim's cancel without the box: tests/unit/web/test_forms_kept.py.
    customer.post("/orders/ord-1/cancel", data={"csrf_token": token}, follow_redirects=False)
    assert not [r for r in gateway_calls if r.method == "POST"]
    page = customer.get("/sign-in").text  # the one-shot message shows on the next page
    assert "Nothing was cancelled" in page and "confirmation_required" in page
    customer.post("/orders/ord-1/cancel", data={"csrf_token": token, "confirm": "yes"},
                  follow_redirects=False)  # fmt: skip
    assert [r.url.path for r in gateway_calls if r.method == "POST"] == ["/v1/orders/ord-1/cancel"]


def test_an_agents_cancel_without_its_box_ticked_is_refused(stub_console, gateway_calls) -> None:
    answer = {"status": "cancelled", "items": [], "next_cursor": None}
    agent = stub_console(lambda request: httpx.Response(200, json=answer))
    token = csrf(agent.get("/sign-in").text)
    # The claim's own cancel without the box: tests/unit/web/test_forms_kept.py.
    agent.post("/agent/customers/c-1/orders/ord-1/cancel", data={"csrf_token": token},
               follow_redirects=False)  # fmt: skip
    assert not [r for r in gateway_calls if r.method == "POST"]
    agent.post("/agent/claims/CLM-1/cancel", data={"csrf_token": token, "form_key": "k",
                                                   "confirm": "yes"}, follow_redirects=False)  # fmt: skip
    assert [r.url.path for r in gateway_calls if r.method == "POST"] == ["/v1/claims/CLM-1/cancel"]
