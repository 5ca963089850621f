"""The Operations page's event DLQ against a stub API: listed and paged, replay through a CSRF
form with the form's Idempotency-Key, the API's problem shown with its code, and an agent
without the `operations` scope told why instead of losing the whole page."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.support.web.console import Handler, StubConsole, csrf, problem

LETTER = {"id": 7, "subject": "warranty.claim.approved", "stream": "WARRANTY", "stream_seq": 42,
          "consumer": "notifications-warranty", "reason": "malformed_event", "deliveries": 1,
          "failed_at": "2026-12-05T01:52:00+00:00", "event_id": "evt-1", "replayable": True}  # fmt: skip


def stub(letters: httpx.Response, replay: httpx.Response | None = None) -> Handler:
    def gateway(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/webhooks":
            return httpx.Response(200, json={"items": [], "next_cursor": None})
        if request.url.path == "/v1/operations/dead-letters":
            return letters
        if request.url.path == "/v1/operations/dead-letters/7/replay" and replay is not None:
            return replay
        return problem(404, "not_found")

    return gateway


@pytest.fixture
def calls(gateway_calls: list[httpx.Request]) -> list[httpx.Request]:
    return gateway_calls


@pytest.fixture
def console(stub_console: StubConsole) -> Callable[[Handler], TestClient]:
    """A console signed in as an agent (tests/support/web/console.py)."""
    return stub_console


def test_letters_are_listed_and_paged(console, calls) -> None:
    agent = console(stub(httpx.Response(200, json={"items": [LETTER], "next_cursor": "abc+/="})))
    page = agent.get("/agent/ops")
    assert page.status_code == 200
    assert "notifications-warranty" in page.text and "malformed_event" in page.text
    assert 'aria-label="Replay dead letter 7"' in page.text
    assert "/agent/ops?cursor=abc%2B/%3D" in page.text
    agent.get("/agent/ops", params={"cursor": "abc+/="})
    letters = [c for c in calls if c.url.path == "/v1/operations/dead-letters"]
    assert letters[-1].url.params["cursor"] == "abc+/="


def test_replay_posts_once_per_form_and_shows_the_problem(console, calls) -> None:
    agent = console(stub(httpx.Response(200, json={"items": [LETTER], "next_cursor": None}),
                         replay=problem(422, "dead_letter_not_replayable")))  # fmt: skip
    token = csrf(agent.get("/agent/ops").text)
    refused = agent.post("/agent/ops/dead-letters/7/replay", data={"form_key": "k1"})
    assert refused.status_code == 403
    assert not any(r.url.path.endswith("/replay") for r in calls)
    shown = agent.post("/agent/ops/dead-letters/7/replay",
                       data={"csrf_token": token, "form_key": "k1"})  # fmt: skip
    assert shown.status_code == 200 and "dead_letter_not_replayable" in shown.text
    [replay] = [r for r in calls if r.url.path.endswith("/replay")]
    assert replay.method == "POST" and replay.headers["Idempotency-Key"] == "k1"


def test_an_agent_without_the_scope_still_gets_the_page(console) -> None:
    agent = console(stub(problem(403, "scope_not_allowed")))
    page = agent.get("/agent/ops")
    assert page.status_code == 200
    assert "needs the <code>operations</code> scope (scope_not_allowed)" in page.text
    assert "Partner webhook endpoints" in page.text
