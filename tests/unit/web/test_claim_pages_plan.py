"""What the claim pages say once the repair centre has the item. The customer reads the
inspection's plan in her words (the styles to choose from, her store credit) and the ship-back
date as a promise to her, not the centre's alarm states. The repair centre prints the thank-you
card for the box from the start of the repair, sees where parcels arrive, ships back with its
region's carrier, picks the customer's chosen style from the plan's options, and knows the
customer reads a cancellation's reason."""

from __future__ import annotations

from html.parser import HTMLParser

import httpx
import pytest

from tests.support.web.console import StubConsole

CLAIM = {
    "id": "CLM-1", "customer_id": "cust-1", "region": "UK", "status": "inspecting",
    "submitted_at": "2026-12-01T10:00:00Z", "components": ["handles"], "cause": "accident",
    "description": None, "review_reasons": [], "decision": None, "resolution": None,
    "rma": {"number": "RMA-20261201-ABC123", "expires_at": "2026-12-31T10:00:00Z",
            "issued_at": "2026-12-01T10:00:00Z", "reminder_due_at": "2026-12-20T10:00:00Z",
            "form_path": "/v1/claims/CLM-1/rma.pdf",
            "ship_to": {"name": "London repair centre", "address": "1 Mill Lane, London E1 1AA"}},
    "shipment": None, "evidence_photo": False,
    "item": {"category": "handbag", "style_code": "VT01", "label_code": None},
    "sla": {"status": "on_track", "breached_at": "2026-12-09T10:00:00Z",
            "at_risk_at": "2026-12-07T10:00:00Z"},
    "allowed_actions": [],
}  # fmt: skip
SHIPPED = {"carrier": "Royal Mail", "tracking_number": "RM1", "shipped_at": "2026-12-05T10:00:00Z"}
CHOICE = {"kind": "awaiting_customer_choice", "parts": [], "options": ["VT02", "VT05"],
          "reasons": ["No VT01 in stock at UK-LON."]}  # fmt: skip
CREDIT = {"kind": "store_credit", "parts": [], "options": [], "credit_amount": "95.00",
          "credit_currency": "GBP", "reasons": ["No stock of equal value."]}  # fmt: skip


def serving(**changes: object):  # type: ignore[no-untyped-def]
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/timeline"):
            return httpx.Response(200, json={"entries": []})
        if request.url.path == "/v1/claims/CLM-1":
            return httpx.Response(200, json={**CLAIM, **changes})
        return httpx.Response(200, json={"items": [], "next_cursor": None})

    return answer


class Controls(HTMLParser):
    """Links by their text, each field's label and value, and the options of selects."""

    def __init__(self) -> None:
        super().__init__()
        self.links: dict[str, str] = {}
        self.labels: dict[str, str] = {}
        self.values: dict[str, str | None] = {}
        self.selects: dict[str, list[str]] = {}
        self._href: str | None = None
        self._label: str | None = None
        self._select: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a":
            self._href, self._text = a.get("href"), ""
        elif tag == "label":
            self._label, self._text = a.get("for"), ""
        elif tag == "input" and a.get("id"):
            self.values[str(a["id"])] = a.get("value")
        elif tag == "select":
            self._select = str(a.get("id"))
            self.selects[self._select] = []
        elif tag == "option" and self._select and a.get("value"):
            self.selects[self._select].append(str(a["value"]))

    def handle_data(self, data: str) -> None:
        self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links[self._text.strip()], self._href = self._href, None
        elif tag == "label" and self._label:
            self.labels[self._label], self._label = self._text.strip(), None
        elif tag == "select":
            self._select = None


def controls(html: str) -> Controls:
    parser = Controls()
    parser.feed(html)
    return parser


@pytest.mark.parametrize(
    ("status", "shipment", "offered"),
    [
        ("inspecting", None, False),
        ("repairing", None, True),
        ("replacing", None, True),
        ("shipped_back", SHIPPED, True),
        ("closed", None, False),  # closed with store credit: nothing goes in a box
    ],
)
def test_the_repair_centre_prints_the_thank_you_card_for_the_box(
    stub_console: StubConsole, status: str, shipment: object, offered: bool
) -> None:
    agent = stub_console(serving(status=status, shipment=shipment))
    for page in (agent.get("/agent/claims/CLM-1"),
                 agent.get("/agent/claims/CLM-1", headers={"HX-Request": "true"})):  # fmt: skip
        links = controls(page.text).links
        card = links.get("Print the thank-you card (PDF)")
        assert card == ("/claims/CLM-1/thank-you-card.pdf" if offered else None)


def test_the_agent_page_shows_where_parcels_arrive(stub_console: StubConsole) -> None:
    page = stub_console(serving()).get("/agent/claims/CLM-1")
    ship_to = page.text.split('id="ship-to">')[1].split("</dd>")[0]
    assert ship_to == "London repair centre, 1 Mill Lane, London E1 1AA"


@pytest.mark.parametrize(("region", "carrier"), [("UK", "Royal Mail"), ("US", "UPS"), ("EU", "")])
def test_the_carrier_starts_with_the_regions_own(
    stub_console: StubConsole, region: str, carrier: str
) -> None:
    claim = serving(region=region, status="repairing", allowed_actions=["ship_back", "cancel"])
    page = controls(stub_console(claim).get("/agent/claims/CLM-1").text)
    assert page.values["carrier"] == carrier
    assert page.labels["cancel-reason"] == "Cancellation reason (the customer reads it)"


def test_the_agent_picks_the_customers_choice_from_the_plans_options(
    stub_console: StubConsole,
) -> None:
    claim = serving(resolution=CHOICE, allowed_actions=["start_replacement"])
    page = controls(stub_console(claim).get("/agent/claims/CLM-1").text)
    assert page.selects["style_code"] == ["VT02", "VT05"]  # no free text to mistype
    assert "style_code" not in page.values


def test_the_customer_reads_the_styles_she_may_choose(stub_console: StubConsole) -> None:
    page = stub_console(serving(resolution=CHOICE), role="customer").get("/claims/CLM-1")
    assert "Waiting for your choice of replacement" in page.text
    plan = page.text.split('id="plan">')[1].split("</dd>")[0]
    assert "<code>VT02</code>" in plan and "<code>VT05</code>" in plan
    assert "No VT01 in stock" not in page.text  # the inspection's reasons are the centre's


def test_the_customer_reads_her_store_credit(stub_console: StubConsole) -> None:
    closed = serving(status="closed", resolution=CREDIT)
    page = stub_console(closed, role="customer").get("/claims/CLM-1")
    plan = page.text.split('id="plan">')[1].split("</dd>")[0]
    assert "store credit" in plan and "£95.00" in plan
    assert "Sent back to you by" not in page.text  # nothing is sent back


@pytest.mark.parametrize(
    ("sla", "note"),
    [("on_track", ""), ("at_risk", ""),
     ("breached", " (we are running late, sorry: your item is being put first)")],
)  # fmt: skip
def test_the_customer_reads_the_ship_back_date_as_a_promise(
    stub_console: StubConsole, sla: str, note: str
) -> None:
    claim = serving(status="repairing", sla={**CLAIM["sla"], "status": sla})  # type: ignore[dict-item]
    page = stub_console(claim, role="customer").get("/claims/CLM-1").text
    row = page.split("<dt>Sent back to you by</dt><dd>")[1].split("</dd>")[0]
    assert row == f'<strong class="promise">9 December 2026</strong>{note}'
    assert "At risk" not in page and "Late" not in page and "Back to you by" not in page


def test_the_customer_reaches_the_policy_her_decision_names(stub_console: StubConsole) -> None:
    """Story 1: a clearly published policy, easy to find: from the decision, one link away."""
    decision = {"covered": True, "rule": "manufacture_plus_shelf", "policy_version": "2024-01",
                "reasons": ["Covered until 2028-06-14."]}  # fmt: skip
    page = stub_console(serving(decision=decision), role="customer").get("/claims/CLM-1").text
    assert controls(page).links.get("warranty policy 2024-01") == "/policy"
