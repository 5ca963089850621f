"""The turnaround alarm in an agent's menu, on every agent page: the page renders without
waiting for it (the count comes from `/agent/alarm`, loaded by htmx; without JavaScript a plain
link to the repair centre), the counts are kept per agent for a short while so moving from page
to page costs no gateway calls, and a customer never sees it. Over a stub gateway."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from services.web.alarm import ALARM_SECONDS, MOST_AGENTS, AlarmCache
from tests.support.web.console import StubConsole, problem
from tests.unit.web.test_sla_alarm import claims, gateway


def counted(calls: list[httpx.Request]) -> int:
    """How many turnaround counts were asked of the gateway."""
    return sum(1 for r in calls if r.url.path == "/v1/claims" and r.url.params.get("sla"))


def nav_alarm(html: str) -> str:
    return html.split('id="nav-alarm"')[1].split("</li>")[0]


def advance(client: TestClient, seconds: float) -> None:
    cache = client.app.state.alarms  # type: ignore[attr-defined]
    now = cache.clock()
    cache.clock = lambda: now + seconds


def test_an_agent_page_renders_without_the_counts_and_loads_them_after(
    stub_console: StubConsole, gateway_calls: list[httpx.Request]
) -> None:
    agent = stub_console(gateway(claims(5), claims(2)))
    gateway_calls.clear()  # signing in lands on the queue, which reads the counts itself
    advance(agent, ALARM_SECONDS + 1)
    page = agent.get("/agent/ops").text
    assert counted(gateway_calls) == 0  # the page did not wait for the counts
    placeholder = nav_alarm(page)
    assert 'hx-get="/agent/alarm"' in placeholder and 'hx-trigger="load"' in placeholder
    assert 'href="/agent?tab=centre"' in placeholder  # without JavaScript: the queue
    loaded = agent.get("/agent/alarm", headers={"HX-Request": "true"}).text
    assert "2 late · 3 at risk" in loaded and "hx-get" not in loaded
    assert 'href="/agent?tab=centre&amp;sla=due"' in loaded


def test_the_counts_are_kept_for_a_while_then_read_again(
    stub_console: StubConsole, gateway_calls: list[httpx.Request]
) -> None:
    agent = stub_console(gateway(claims(5), claims(2)))
    advance(agent, ALARM_SECONDS + 1)  # past what signing in (on the queue) read
    gateway_calls.clear()
    agent.get("/agent/alarm")
    assert counted(gateway_calls) == 2
    page = agent.get("/warranty").text  # the next page shows the kept counts at once
    assert "2 late · 3 at risk" in nav_alarm(page) and "hx-get" not in nav_alarm(page)
    agent.get("/agent/alarm")
    assert counted(gateway_calls) == 2
    advance(agent, ALARM_SECONDS + 1)
    assert 'hx-get="/agent/alarm"' in nav_alarm(agent.get("/warranty").text)
    agent.get("/agent/alarm")
    assert counted(gateway_calls) == 4


def test_the_queue_reads_fresh_counts_and_the_menu_agrees(stub_console: StubConsole) -> None:
    now = {"at_risk": claims(5), "breached": claims(2)}

    def changing(request: httpx.Request) -> httpx.Response:
        return gateway(now["at_risk"], now["breached"])(request)

    agent = stub_console(changing)
    assert "2 late · 3 at risk" in agent.get("/agent/alarm").text  # kept
    now.update(at_risk=claims(1), breached=claims(1))  # a claim shipped back meanwhile
    page = agent.get("/agent").text
    assert "<strong>1 late</strong>" in page.split('id="sla-alarm"')[1]
    assert "1 late · 0 at risk" in nav_alarm(page)  # the menu, brought up to date
    assert "1 late · 0 at risk" in nav_alarm(agent.get("/warranty").text)


def test_all_on_track_reads_quietly_and_a_service_away_leaves_the_plain_link(
    stub_console: StubConsole,
) -> None:
    calm = stub_console(gateway(claims(0), claims(0))).get("/agent/alarm").text
    assert "on track" in calm and 'href="/agent?tab=centre"' in calm
    away = stub_console(gateway(problem(503, "service_unavailable"), claims(0)))
    advance(away, ALARM_SECONDS + 1)  # the same app: the calm counts are no longer kept
    link = away.get("/agent/alarm")
    assert link.status_code == 200 and 'href="/agent?tab=centre"' in link.text
    assert "hx-get" not in link.text  # no loop of retries from the menu


def test_a_customer_has_no_alarm(stub_console: StubConsole) -> None:
    me = stub_console(gateway(claims(5), claims(2)), role="customer")
    assert 'id="nav-alarm"' not in me.get("/warranty").text
    assert me.get("/agent/alarm").status_code == 404


def test_the_repair_centre_filtered_to_the_late_and_at_risk(stub_console: StubConsole) -> None:
    board = {"as_of": "2026-12-08T10:00:00Z", "items": [
        _item("CLM-LATE", "breached"), _item("CLM-RISK", "at_risk"), _item("CLM-OK", "on_track")]}  # fmt: skip

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/warranty/sla":
            return httpx.Response(200, json=board)
        return gateway(claims(1), claims(1))(request)

    page = stub_console(answer).get("/agent", params={"tab": "centre", "sla": "due"}).text
    assert "CLM-LATE" in page and "CLM-RISK" in page and "CLM-OK" not in page
    assert 'href="/agent?tab=centre"' in page.split("</h2>")[1]  # the way back to all of them


def _item(claim_id: str, sla: str) -> dict[str, str]:
    at = "2026-12-08T10:00:00Z"
    return {"claim_id": claim_id, "status": "repairing", "region": "UK", "received_at": at,
            "at_risk_at": at, "breached_at": at, "sla": sla}  # fmt: skip


def test_the_kept_counts_are_bounded_and_keyed_by_no_token_in_clear() -> None:
    cache = AlarmCache()
    for n in range(MOST_AGENTS + 1):
        cache.put(f"token-{n}", {"late": "0", "at_risk": "0"})
    assert cache.get("token-0") is None  # the oldest went first
    assert cache.get(f"token-{MOST_AGENTS}") == {"late": "0", "at_risk": "0"}
    assert not any("token-" in key for key in cache._kept)
    cache.put("token-x", {"unavailable": True})  # a service away is not kept
    assert cache.get("token-x") is None
