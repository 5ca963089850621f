"""A console app whose gateway is a stub (httpx.MockTransport), signed in through its own local
sign-in form, for page tests that need no running stack; and the helpers those tests share."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import httpx
from fastapi.testclient import TestClient

from services.web.app import create_app
from services.web.settings import WebSettings

Handler = Callable[[httpx.Request], httpx.Response]
StubConsole = Callable[..., TestClient]


def csrf(html: str) -> str:
    """The CSRF token of the first form on a page."""
    return html.split('name="csrf_token" value="')[1].split('"')[0]


def problem(status: int, code: str, **extra: object) -> httpx.Response:
    """A gateway problem+json answer, as the stub gateway gives it."""
    return httpx.Response(status, json={"code": code, "title": "Unprocessable Entity",
                                        "detail": f"{code} detail", **extra})  # fmt: skip


@contextmanager
def stub_console(gateway_calls: list[httpx.Request]) -> Iterator[StubConsole]:
    """`signed_in(handler, role=..., locale=..., no_operations=...)`: a signed-in client whose
    gateway calls go to `handler` and are recorded in `gateway_calls`."""
    app = create_app(WebSettings(_env_file=None))
    with TestClient(app) as client:

        def signed_in(handler: Handler, role: str = "agent", locale: str = "en-GB",
                      no_operations: bool = False) -> TestClient:  # fmt: skip
            def record(request: httpx.Request) -> httpx.Response:
                gateway_calls.append(request)
                return handler(request)

            app.state.http = httpx.AsyncClient(transport=httpx.MockTransport(record),
                                               base_url="http://gateway")  # fmt: skip
            form = {"csrf_token": csrf(client.get("/sign-in").text), "subject": "agent-1",
                    "role": role, "locale": locale}  # fmt: skip
            if no_operations:
                form["no_operations"] = "1"
            client.post("/sign-in/local", data=form)
            return client

        yield signed_in
