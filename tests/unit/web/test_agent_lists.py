"""Long lists stay whole: the review queue is served oldest first and paged, the inbox, a
customer's lists and an endpoint's deliveries page past their first page, an action on a later
page or a filtered list comes back to it, and one service away blanks only its own part of a
page."""

from __future__ import annotations

import httpx

from tests.support.web.console import StubConsole, csrf, problem

EMPTY = {"items": [], "next_cursor": None}
MORE = {"items": [], "next_cursor": "c2"}
DELIVERY = {"id": "D-1", "created_at": "2026-12-01T10:00:00Z", "event_type": "warranty.claim.opened",
            "status": "dead_letter", "attempts": 8, "last_status_code": 500, "last_error": None,
            "next_attempt_at": None}  # fmt: skip


def paths(calls: list[httpx.Request], path: str) -> list[httpx.URL]:
    return [r.url for r in calls if r.url.path == path]


def test_the_review_queue_is_oldest_first_and_pages(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    claim = {"id": "CLM-OLD", "customer_id": "c-1", "item": {"label_code": "VT01"},
             "review_reasons": ["claimed by another customer"],
             "submitted_at": "2026-12-01T10:00:00Z"}  # fmt: skip
    agent = stub_console(
        lambda r: httpx.Response(200, json={"items": [claim], "next_cursor": "c2"})
    )
    page = agent.get("/agent?tab=review").text
    # The queue's own list (not the turnaround alarm's counts, tests/unit/web/test_sla_alarm.py).
    queue = lambda: [u for u in paths(gateway_calls, "/v1/claims") if "status" in u.params]  # noqa: E731
    asked = queue()[-1].params
    assert asked["order"] == "oldest" and asked["status"] == "needs_review"
    assert 'href="/agent?tab=review&amp;cursor=c2"' in page and "CLM-OLD" in page
    agent.get("/agent?tab=review&cursor=c2")
    assert queue()[-1].params["cursor"] == "c2"


def test_the_inbox_pages_and_marking_read_stays_on_the_page(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    note = {"id": "N-1", "title": "Claim received", "body": "We have it.", "read_at": None,
            "created_at": "2026-12-01T10:00:00Z", "claim_id": None, "order_id": None}  # fmt: skip
    inbox = {**MORE, "items": [note]}
    me = stub_console(lambda r: httpx.Response(200, json=inbox if "notifications" in r.url.path
                                               else EMPTY), role="customer")  # fmt: skip
    assert 'href="/inbox?cursor=c2"' in me.get("/inbox").text
    page = me.get("/inbox?cursor=c2").text
    assert paths(gateway_calls, "/v1/me/notifications")[-1].params["cursor"] == "c2"
    assert 'hx-get="/inbox?cursor=c2"' in page  # a live refresh re-reads the same page
    back = me.post("/inbox/N-1/read", data={"csrf_token": csrf(page), "cursor": "c2"},
                   follow_redirects=False)  # fmt: skip
    assert back.headers["location"] == "/inbox?cursor=c2"


def test_a_customers_lists_page_one_by_one(stub_console: StubConsole, gateway_calls: list) -> None:
    agent = stub_console(lambda r: httpx.Response(200, json=MORE))
    page = agent.get("/agent/customers/c-1").text
    for name in ("claims", "orders", "messages"):
        assert f'href="/agent/customers/c-1?{name}=c2#c-{name}"' in page
    page = agent.get("/agent/customers/c-1?orders=c2").text
    assert paths(gateway_calls, "/v1/orders")[-1].params["cursor"] == "c2"
    assert "cursor" not in paths(gateway_calls, "/v1/claims")[-1].params
    assert 'href="/agent/customers/c-1#c-orders">Newest orders' in page


def test_one_service_away_blanks_only_its_part(stub_console: StubConsole) -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        if request.url.path in ("/v1/me/messages", "/v1/me/contact"):
            return problem(503, "upstream_unavailable")
        if request.url.path == "/v1/operations/dead-letters":
            return problem(503, "upstream_unavailable")
        if request.url.path == "/v1/webhooks":
            return httpx.Response(200, json={"items": [{"id": "E1", "url": "https://p.example/h",
                                                        "event_types": ["warranty.claim.*"],
                                                        "active": True}]})  # fmt: skip
        return httpx.Response(200, json=EMPTY)

    agent = stub_console(gateway)
    page = agent.get("/agent/customers/c-1")
    assert page.status_code == 200
    assert "The messages cannot be read just now" in page.text and "No claims." in page.text
    assert "Contact details cannot be read just now" in page.text
    ops = agent.get("/agent/ops")
    assert ops.status_code == 200 and "E1" in ops.text
    assert "The event DLQ cannot be read just now" in ops.text


def test_a_replay_comes_back_to_the_filtered_page(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return httpx.Response(200, json={"replayed": ["D-1"]})
        if request.url.path.endswith("/deliveries"):
            return httpx.Response(200, json={**MORE, "items": [DELIVERY]})
        return httpx.Response(200, json=EMPTY)

    agent = stub_console(gateway)
    page = agent.get("/agent/ops/webhooks/E1?status=dead_letter").text
    assert 'href="/agent/ops/webhooks/E1?status=dead_letter&amp;cursor=c2"' in page
    form = {"csrf_token": csrf(page), "form_key": "k", "delivery_id": "D-1",
            "status": "dead_letter", "cursor": "c2"}  # fmt: skip
    back = agent.post("/agent/ops/webhooks/E1/replay", data=form, follow_redirects=False)
    assert back.headers["location"] == "/agent/ops/webhooks/E1?status=dead_letter&cursor=c2"
    form["status"] = "../../x"  # not a state: dropped, never echoed into the address
    back = agent.post("/agent/ops/webhooks/E1/replay", data=form, follow_redirects=False)
    assert back.headers["location"] == "/agent/ops/webhooks/E1?cursor=c2"


def test_a_refused_time_range_keeps_what_was_typed(stub_console: StubConsole) -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        if request.method == "POST":
            return problem(422, "validation_error")
        return httpx.Response(200, json=EMPTY)

    agent = stub_console(gateway)
    page = agent.get("/agent/ops/webhooks/E1").text
    form = {"csrf_token": csrf(page), "form_key": "k", "since": "2026-12-01T00:00:00Z",
            "until": "yesterday"}  # fmt: skip
    refused = agent.post("/agent/ops/webhooks/E1/replay", data=form)
    assert refused.status_code == 422
    assert 'value="2026-12-01T00:00:00Z"' in refused.text and 'value="yesterday"' in refused.text


def test_settling_a_held_message_stays_on_its_page(stub_console: StubConsole) -> None:
    agent = stub_console(lambda r: httpx.Response(200, json=EMPTY))
    token = csrf(agent.get("/agent?tab=held").text)
    back = agent.post("/agent/ops/held/M-1", data={"csrf_token": token, "outcome": "resend",
                                                   "cursor": "c2"}, follow_redirects=False)  # fmt: skip
    assert back.headers["location"] == "/agent?tab=held&cursor=c2#held-title"


def test_an_id_of_dots_alone_reaches_no_api_path(
    stub_console: StubConsole, gateway_calls: list
) -> None:
    """httpx resolves `.` and `..` segments: `/v1/claims/.` would reach the claim list."""
    agent = stub_console(lambda r: httpx.Response(200, json=EMPTY))
    token = csrf(agent.get("/agent?tab=search").text)
    before = len(gateway_calls)
    for kind in ("claim", "order", "customer"):
        page = agent.post("/agent/search", data={"csrf_token": token, "kind": kind, "q": ".."})
        assert page.status_code == 404 and "Type an id" in page.text
    assert agent.get("/agent/claims/..%2E").status_code in (404, 422)
    assert len(gateway_calls) == before


def test_a_bug_behind_the_gateway_is_not_shown_as_a_blank(stub_console: StubConsole) -> None:
    """A 500 is a bug: the error page with its reference, not "cannot be read just now"."""

    def gateway(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/me/messages":
            return problem(500, "internal_error")
        return httpx.Response(200, json=EMPTY)

    page = stub_console(gateway).get("/agent/customers/c-1")
    assert page.status_code == 500 and "cannot be read just now" not in page.text
