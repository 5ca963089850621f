"""An agent's customer page names her formats as people choose them ("English (Ireland)"), not
by their code ("en-IE")."""

from __future__ import annotations

import httpx

from tests.support.web.console import StubConsole

CONTACT = {"customer_id": "cust-7", "name": "Aoife Byrne", "email": "aoife@example.ie",
           "phone": None, "push_tokens": [], "locale": "en-IE", "time_zone": None,
           "updated_at": None}  # fmt: skip


def test_her_formats_are_named_in_words(stub_console: StubConsole) -> None:
    def gateway(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/me/contact":
            return httpx.Response(200, json=CONTACT)
        return httpx.Response(200, json={"items": [], "next_cursor": None})

    page = stub_console(gateway, role="agent").get("/agent/customers/cust-7").text
    assert "Aoife Byrne · aoife@example.ie · writes in English (Ireland)" in page
    assert "en-IE</p>" not in page
