"""The console without a stack: sign-in rules, CSRF and error pages (no stack trace)."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient

from services.web.app import create_app
from services.web.settings import WebSettings


@pytest.fixture
def client() -> TestClient:
    # A gateway address nothing listens on: API calls fail as "unreachable".
    settings = WebSettings(_env_file=None, gateway_url="http://127.0.0.1:9")
    with TestClient(create_app(settings)) as c:
        yield c


def _signed_in(client: TestClient, role: str = "customer") -> None:
    page = client.get("/sign-in").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    r = client.post("/sign-in/local", data={"csrf_token": token, "subject": "cust-1",
                                            "role": role, "locale": "en-GB"},
                    follow_redirects=False)  # fmt: skip
    assert r.status_code == 303


def test_pages_need_a_session(client: TestClient) -> None:
    r = client.get("/claims", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/sign-in?next=/claims"


def test_sign_in_without_csrf_token_is_refused(client: TestClient) -> None:
    r = client.post("/sign-in/local", data={"subject": "cust-1", "role": "agent"})
    assert r.status_code == 403 and "csrf_token_missing" in r.text


def test_next_cannot_leave_the_site(client: TestClient) -> None:
    page = client.get("/sign-in?next=//evil.example/x").text
    assert 'name="next" value="/"' in page


def test_an_unreachable_api_is_a_readable_page(client: TestClient) -> None:
    _signed_in(client)
    r = client.get("/claims")
    assert r.status_code == 503
    assert "gateway_unreachable" in r.text and "Traceback" not in r.text


def test_a_customer_is_not_offered_agent_pages(client: TestClient) -> None:
    _signed_in(client)
    assert client.get("/agent").status_code == 404


def test_sign_in_as_is_absent_when_switched_off() -> None:
    settings = WebSettings(_env_file=None, local_sign_in=False)
    with TestClient(create_app(settings)) as c:
        page = c.get("/sign-in").text
        assert "/sign-in/local" not in page
        token = (
            page.split('name="csrf_token" value="')[1].split('"')[0] if "csrf_token" in page else ""
        )
        r = c.post("/sign-in/local", data={"csrf_token": token, "subject": "a", "role": "agent"})
        assert r.status_code in (403, 404)


def test_unexpected_errors_show_no_trace(monkeypatch) -> None:
    settings = WebSettings(_env_file=None, gateway_url="http://127.0.0.1:9")
    # Starlette re-raises after its 500 handler answered: the page is what the browser gets.
    client = TestClient(create_app(settings), raise_server_exceptions=False)
    client.__enter__()
    _signed_in(client)

    async def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(httpx.AsyncClient, "request", boom)
    r = client.get("/claims")
    assert r.status_code == 500
    assert "secret internals" not in r.text and "internal_error" in r.text
    client.__exit__(None, None, None)


def test_signing_in_again_comes_back_to_the_page_with_its_query(client: TestClient) -> None:
    r = client.get("/agent?tab=centre", follow_redirects=False)
    assert r.headers["location"] == "/sign-in?next=/agent%3Ftab%3Dcentre"
    page = client.get(r.headers["location"]).text
    assert 'name="next" value="/agent?tab=centre"' in page


def test_signing_in_again_after_a_form_comes_back_to_the_forms_page(client: TestClient) -> None:
    """A redirect cannot replay a POST: back to the page the form was on (not its action, which
    only takes posts), and only when that page is this site's."""
    own = client.post("/claims/CLM-1/cancel", headers={"referer": "http://testserver/claims/CLM-1"},
                      follow_redirects=False)  # fmt: skip
    assert own.headers["location"] == "/sign-in?next=/claims/CLM-1"
    other = client.post("/claims/CLM-1/cancel", headers={"referer": "https://evil.example/x"},
                        follow_redirects=False)  # fmt: skip
    assert other.headers["location"] == "/sign-in?next=/"
    bare = client.post("/claims/CLM-1/cancel", follow_redirects=False)
    assert bare.headers["location"] == "/sign-in?next=/"
