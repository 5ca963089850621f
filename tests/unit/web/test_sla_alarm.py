"""The queue raises the alarm before the one-week turnaround slips: the header of each tab about claims counts
the claims late and the ones at risk (`GET /v1/claims?sla=...`, whose `at_risk` counts the late
ones too) and links to the repair centre's list of those claims; a service briefly away blanks only that line."""

from __future__ import annotations

import httpx
import pytest

from tests.support.web.console import StubConsole, problem

BOARD = {"as_of": "2026-12-08T10:00:00Z", "items": []}


def claims(n: int, more: bool = False) -> httpx.Response:
    return httpx.Response(200, json={"items": [{"id": f"CLM-{i}"} for i in range(n)],
                                     "next_cursor": "c2" if more else None})  # fmt: skip


def gateway(at_risk: httpx.Response, breached: httpx.Response):  # type: ignore[no-untyped-def]
    def answer(request: httpx.Request) -> httpx.Response:
        sla = request.url.params.get("sla")
        if request.url.path == "/v1/claims" and sla:
            return at_risk if sla == "at_risk" else breached
        if request.url.path == "/v1/warranty/sla":
            return httpx.Response(200, json=BOARD)
        return httpx.Response(200, json={"items": [], "next_cursor": None})

    return answer


def alarm(html: str) -> str:
    return html.split('id="sla-alarm"')[1].split("</p>")[0]


@pytest.mark.parametrize("tab", ["review", "centre", "search"])
def test_every_claims_tab_counts_the_late_and_at_risk_claims(
    stub_console: StubConsole, gateway_calls: list[httpx.Request], tab: str
) -> None:
    agent = stub_console(gateway(claims(5), claims(2)))  # 5 at risk or late, 2 of them late
    line = alarm(agent.get("/agent", params={"tab": tab}).text)
    assert "<strong>2 late</strong>" in line and "<strong>3 at risk</strong>" in line
    assert 'href="/agent?tab=centre&amp;sla=due"' in line  # the repair centre, late or at risk
    asked = {r.url.params.get("sla") for r in gateway_calls if r.url.path == "/v1/claims"}
    assert {"at_risk", "breached"} <= asked


def test_a_full_page_reads_as_more(stub_console: StubConsole) -> None:
    line = alarm(stub_console(gateway(claims(100, more=True), claims(1))).get("/agent").text)
    assert "<strong>1 late</strong>" in line and "<strong>100+ at risk</strong>" in line


def test_all_on_track_is_said_quietly(stub_console: StubConsole) -> None:
    line = alarm(stub_console(gateway(claims(0), claims(0))).get("/agent").text)
    assert "every claim at the repair centre is on track" in line and "notice" not in line


def test_a_service_away_blanks_only_the_alarm(stub_console: StubConsole) -> None:
    away = problem(503, "service_unavailable")
    page = stub_console(gateway(away, claims(0))).get("/agent")
    assert page.status_code == 200 and "Claims needing review" in page.text
    assert "<code>service_unavailable</code>" in alarm(page.text)
