"""An inspected claim's page offers the step its plan names: "Repair with parts" when the plan
is a repair, "Replace the item" when it is a replacement (of the same style, another, or the one
the customer chooses), neither when it is store credit. Without a plan (the inspection could not
make one) the page offers every step the claim's state allows, as before. The live part (what a
live refresh swaps in) follows the plan the same way."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
import pytest

from tests.support.web.console import StubConsole

STEPS = ["start_repair", "start_replacement", "issue_store_credit"]
INSPECTING = {
    "id": "CLM-1", "customer_id": "cust-1", "region": "UK", "status": "inspecting",
    "submitted_at": "2026-12-01T10:00:00Z", "components": ["handles"], "cause": "accident",
    "description": None, "review_reasons": [], "decision": None, "rma": None,
    "resolution": None, "shipment": None, "evidence_photo": False,
    "item": {"category": "handbag", "style_code": "VT01", "label_code": None},
    "sla": {"status": "on_track", "breached_at": None, "at_risk_at": None},
    "allowed_actions": STEPS,
}  # fmt: skip


class Steps(HTMLParser):
    """The claim steps a page offers: the action of each form posting to the claim."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        action = dict(attrs).get("action") or ""
        if tag == "form" and action.startswith("/agent/claims/CLM-1/"):
            self.found.append(action.rsplit("/", 1)[1])


def offered(html: str) -> list[str]:
    parser = Steps()
    parser.feed(html)
    return parser.found


def claim_with(plan: str | None):  # type: ignore[no-untyped-def]
    resolution = None if plan is None else {"kind": plan, "parts": [], "options": [],
                                            "reasons": ["From the inspection."]}  # fmt: skip

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/timeline"):
            return httpx.Response(200, json={"entries": []})
        if request.url.path == "/v1/claims/CLM-1":
            return httpx.Response(200, json={**INSPECTING, "resolution": resolution})
        return httpx.Response(200, json={"items": [], "next_cursor": None})  # the queue

    return answer


@pytest.mark.parametrize(
    ("plan", "steps"),
    [
        ("repair", ["start_repair", "issue_store_credit"]),
        ("replace_same", ["start_replacement", "issue_store_credit"]),
        ("replace_other", ["start_replacement", "issue_store_credit"]),
        ("awaiting_customer_choice", ["start_replacement", "issue_store_credit"]),
        ("store_credit", ["issue_store_credit"]),
        (None, STEPS),  # no plan: every step the state allows
    ],
)
def test_the_inspections_plan_decides_which_step_is_offered(
    stub_console: StubConsole, plan: str | None, steps: list[str]
) -> None:
    agent = stub_console(claim_with(plan))
    page = agent.get("/agent/claims/CLM-1")
    assert page.status_code == 200 and offered(page.text) == steps
    live = agent.get("/agent/claims/CLM-1", headers={"HX-Request": "true"})
    assert offered(live.text) == steps


def test_a_plan_offers_nothing_the_state_does_not_allow(stub_console: StubConsole) -> None:
    """The plan only narrows: a repairing claim (its plan still says repair) ships back."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/timeline"):
            return httpx.Response(200, json={"entries": []})
        if request.url.path != "/v1/claims/CLM-1":
            return httpx.Response(200, json={"items": [], "next_cursor": None})
        return httpx.Response(200, json={**INSPECTING, "status": "repairing",
                                         "allowed_actions": ["ship_back"],
                                         "resolution": {"kind": "repair"}})  # fmt: skip

    assert offered(stub_console(answer).get("/agent/claims/CLM-1").text) == ["ship_back"]
