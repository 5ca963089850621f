"""Batch analytics in the console against the running stack: claims on three batches of one
style (opened through the public API), a production-volumes CSV with bad rows refused row by row
with nothing changed, the good file flagging the planted batch, the chart served, and an agent
without the `operations` scope shown neither the link nor the page."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from services.warranty.domain.labels import encode_gen2
from tests.browser.setup_api import api_client, post

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHOOT = os.environ.get("CONCIERGE_SCREENSHOTS") == "1"

# Three batches of style JR01 from the Secaucus workshop: two large ones with one claim each, and
# a small one with six: far above the style's baseline (2 claims in 4,000 units).
PLANTED = "NJ-2542-JR01"
CLAIMS = {40: 1, 41: 1, 42: 6}
UNITS = {40: 2000, 41: 2000, 42: 100}
CHART = "Chart of the defect rate by production week"
HEADER = "factory,iso_week,style,units\n"
GOOD_CSV = HEADER + "".join(f"NJ,2025-W{w},JR01,{n}\n" for w, n in UNITS.items())
BAD_CSV = GOOD_CSV + "ZZ,2025-W43,JR01,100\nNJ,2025-W44,JR01,lots\n"


@pytest.fixture(scope="module")
def batches(console) -> None:
    """Manufacturing-defect claims on the three batches, each by its own customer."""
    run = uuid.uuid4().hex[:6]
    for week, count in CLAIMS.items():
        for serial in range(count):
            code = encode_gen2("NJ", 2025, week, "JR01", 100 + serial)
            with api_client(console.api, f"cust-batch-{run}-{week}-{serial}") as customer:
                post(customer, "/v1/claims", {"region": "US", "label_code": code,
                                               "components": ["handles"]})  # fmt: skip


def _upload(page, name: str, text: str) -> None:
    page.get_by_label("Production volumes (CSV)").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": text.encode()}]
    )
    page.get_by_role("button", name="Upload volumes").click()
    page.wait_for_load_state()


def test_an_operator_uploads_volumes_and_finds_the_planted_batch(sign_in, batches):
    agent = sign_in("agent-analytics", role="agent")
    agent.get_by_role("link", name="Analytics").click()
    expect(agent.get_by_role("heading", name="Batch analytics", level=1)).to_be_visible()
    batches = agent.get_by_role("table", name="Claims, units and defect rate per batch")
    planted_row = batches.get_by_role("row").filter(
        has=agent.get_by_role("rowheader", name=PLANTED)
    )
    expect(planted_row).to_contain_text("no volume")

    # A file with two bad rows: each is listed with its row, column and stable code.
    _upload(agent, "volumes-bad.csv", BAD_CSV)
    expect(agent.get_by_role("alert")).to_contain_text("nothing was changed")
    expect(agent.get_by_role("alert")).to_be_focused()  # the outcome is where the keyboard is
    if SHOOT:
        agent.screenshot(path=str(SCREENSHOTS / "agent-analytics-refused-csv.png"), full_page=True)
    errors = agent.get_by_role("table", name="Rows refused in volumes-bad.csv")
    expect(errors.get_by_role("row")).to_have_count(3)  # header + two rows
    for n, (row, column, code) in enumerate([("5", "factory", "unknown_factory"),
                                               ("6", "units", "invalid_units")], start=1):  # fmt: skip
        cells = errors.get_by_role("row").nth(n).get_by_role("cell")
        expect(cells).to_have_count(4)
        expect(cells.nth(0)).to_have_text(row)
        expect(cells.nth(1)).to_have_text(column)
        expect(cells.nth(2)).to_have_text(code)
    expect(planted_row).to_contain_text("no volume")  # nothing was stored
    expect(agent.get_by_role("img", name=CHART)).to_have_count(0)  # no rate to draw yet
    _no_serious_violation(agent)

    # The good file: stored, and the planted batch is flagged with its test's figures.
    _upload(agent, "volumes.csv", GOOD_CSV)
    expect(agent.get_by_role("status")).to_contain_text("Production volumes saved: 3 rows")
    expect(agent.get_by_role("status")).to_contain_text(PLANTED)
    flagged = agent.get_by_role(
        "table", name="Batches flagged as significantly above their style's baseline"
    )
    row = flagged.get_by_role("row").filter(has_text=PLANTED)
    expect(row).to_contain_text("6.00%")  # 6 claims in 100 units
    expect(row).to_contain_text("0.05%")  # the style's baseline without it: 2 in 4,000
    expect(flagged.get_by_role("row").filter(has_text="NJ-2540-JR01")).to_have_count(0)
    expect(planted_row).to_contain_text("Flagged")

    chart = agent.get_by_role("img", name=CHART)
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0")
    _no_serious_violation(agent)
    if SHOOT:
        agent.screenshot(path=str(SCREENSHOTS / "agent-analytics.png"), full_page=True)

    # Filtered to other weeks: the flag is not among them, and the chart follows the filters.
    agent.get_by_label("From week").fill("2025-W40")
    agent.get_by_label("To week").fill("2025-W41")
    agent.get_by_label("Factory").fill("nj")
    agent.get_by_role("button", name="Show").click()
    expect(agent.get_by_text("No batch is flagged within these filters")).to_be_visible()
    assert "week_to=2025-W41" in (chart.get_attribute("src") or "")

    agent.get_by_label("From week").fill("2025-W54")
    agent.get_by_role("button", name="Show").click()
    expect(agent.get_by_role("alert")).to_contain_text("That production week does not exist")


def test_an_agent_without_the_scope_sees_no_link_and_a_refusal(browser, console):
    context = browser.new_context(base_url=console.url)
    agent = context.new_page()
    agent.goto("/sign-in")
    agent.get_by_label("Customer or agent id").fill("agent-no-ops")
    agent.get_by_label("Agent", exact=True).check()
    agent.get_by_label("Agent without the operations permission").check()
    agent.get_by_role("button", name="Sign in").click()
    expect(agent.get_by_role("link", name="Queue")).to_be_visible()
    expect(agent.get_by_role("link", name="Analytics")).to_have_count(0)
    response = agent.goto("/agent/analytics")
    assert response is not None and response.status == 403
    expect(agent.get_by_role("heading", level=1)).to_have_text(
        "This needs the operations permission, which your account does not have"
    )
    expect(agent.locator("main")).to_contain_text("scope_required")
    context.close()


def _no_serious_violation(page) -> None:
    violations = [v for v in Axe().run(page).response["violations"]
                  if v["impact"] in ("serious", "critical")]  # fmt: skip
    assert not violations, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
                            for v in violations]  # fmt: skip
