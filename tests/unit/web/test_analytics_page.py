"""The batch analytics page against a stub API: offered only to agents with the `operations`
scope, the report's figures in the reader's locale, the chart served from the console's origin
with the same filters, and a refused CSV shown row by row with its stable codes."""

from __future__ import annotations

from typing import Any

import httpx
import jwt

from tests.support.web.console import csrf, problem

REPORT: dict[str, Any] = {
    "as_of": "2026-12-05T10:00:00Z",
    "batches": [
        {"batch_id": "NJ-2633-VT02", "factory": "NJ", "iso_week": "2026-W33", "style_code": "VT02",
         "claims": 12, "units": 1500, "defect_rate": 0.008, "rate_ci_low": 0.0041,
         "rate_ci_high": 0.0139, "flagged": True},
        {"batch_id": "SD-2631-VT01", "factory": "SD", "iso_week": "2026-W31", "style_code": "VT01",
         "claims": 2, "units": None, "defect_rate": None, "rate_ci_low": None,
         "rate_ci_high": None, "flagged": False},
    ],
    "per_component": {"handles": 14},
    "per_reason": {"manufacturing_defect": 14, "wear": 1},
    "sla": {"shipped_back": 4, "within_promise": 3, "compliance": 0.75,
            "median_turnaround_hours": 1234.5},
    "flagged": [{"batch_id": "NJ-2633-VT02", "claims": 12, "units": 1500, "baseline_rate": 0.0015,
                 "p_value": 3.2e-7, "q_value": 0.0004, "flagged_at": "2026-12-05T09:30:00Z"}],
    "q": 0.05,
    "min_claims": 5,
}  # fmt: skip
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><text>rates</text></svg>'
BAD_ROWS = {"errors": [{"row": 3, "column": "units", "code": "invalid_units"},
                       {"row": 4, "column": "factory", "code": "unknown_factory"}],
            "error_count": 2}  # fmt: skip


def gateway(upload: httpx.Response | None = None, report: httpx.Response | None = None):
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/v1/warranty/analytics":
            return report or httpx.Response(200, json=REPORT)
        if request.url.path == "/v1/warranty/analytics/defect-rate.svg":
            return httpx.Response(200, content=SVG, headers={"content-type": "image/svg+xml"})
        if request.url.path == "/v1/warranty/production-volumes" and upload is not None:
            return upload
        return problem(404, "not_found")

    return answer


def test_an_operator_sees_the_link_and_the_figures_in_en_gb(stub_console) -> None:
    agent = stub_console(gateway())
    page = agent.get("/agent/analytics")
    assert page.status_code == 200
    assert '<a href="/agent/analytics" aria-current="page">Analytics</a>' in page.text
    assert "NJ-2633-VT02" in page.text and "Flagged" in page.text
    assert "0.80%" in page.text and "0.41% to 1.39%" in page.text  # rate and its interval
    assert "3.2E-7" in page.text and "0.15%" in page.text  # p-value never shows as 0
    assert "1,234.5 hours" in page.text and "75.0%" in page.text
    assert "no volume" in page.text  # a batch without volumes has no rate, not 0%
    assert "5 Dec 2026, 09:30 GMT" in page.text  # flagged at, London time


def test_en_us_formats_the_times_in_new_york(stub_console) -> None:
    page = stub_console(gateway(), locale="en-US").get("/agent/analytics")
    assert "Dec 5, 2026, 4:30\u202fAM EST" in page.text


def test_filters_go_to_the_report_and_to_the_chart(stub_console, gateway_calls) -> None:
    agent = stub_console(gateway())
    page = agent.get("/agent/analytics", params={"factory": " nj ", "week_from": "2026-w30",
                                                  "region": "", "style": ""})  # fmt: skip
    report = next(r for r in gateway_calls if r.url.path == "/v1/warranty/analytics")
    assert dict(report.url.params) == {"factory": "NJ", "week_from": "2026-W30"}
    assert 'src="/agent/analytics/defect-rate.svg?factory=NJ&amp;week_from=2026-W30"' in page.text
    chart = agent.get("/agent/analytics/defect-rate.svg?factory=NJ&week_from=2026-W30")
    assert chart.status_code == 200 and chart.content == SVG
    assert chart.headers["content-type"].startswith("image/svg+xml")
    upstream = gateway_calls[-1]
    assert upstream.url.path.endswith("defect-rate.svg")
    assert dict(upstream.url.params) == {"factory": "NJ", "week_from": "2026-W30"}


def test_filters_the_api_refuses_are_explained_beside_the_form(stub_console) -> None:
    agent = stub_console(gateway(report=problem(422, "analytics_invalid_week")))
    page = agent.get("/agent/analytics", params={"week_from": "2026-W54"})
    assert page.status_code == 422
    assert "That production week does not exist" in page.text
    assert "analytics_invalid_week" in page.text
    assert 'value="2026-W54"' in page.text  # kept to correct
    assert "defect-rate.svg" not in page.text


def test_a_refused_file_is_shown_row_by_row(stub_console, gateway_calls) -> None:
    agent = stub_console(gateway(upload=problem(422, "volumes_invalid", details=BAD_ROWS)))
    token = csrf(agent.get("/agent/analytics").text)
    body = b"factory,iso_week,style,units\nNJ,2026-W33,VT02,1500\nNJ,2026-W34,VT02,lots\n"
    page = agent.post("/agent/analytics/volumes", data={"csrf_token": token, "form_key": "k1"},
                      files={"file": ("volumes.csv", body, "text/csv")})  # fmt: skip
    assert page.status_code == 422
    assert "The production volumes file was not accepted: nothing was changed" in page.text
    assert "2 errors" in page.text and "volumes.csv" in page.text
    for row, code, words in [(3, "invalid_units", "whole number from 1 to 10,000,000"),
                             (4, "unknown_factory", "No factory has this code")]:  # fmt: skip
        assert f'<td class="num">{row}</td>' in page.text
        assert f"<code>{code}</code>" in page.text and words in page.text
    [upload] = [r for r in gateway_calls if r.method == "POST"]
    assert upload.headers["Idempotency-Key"] == "k1"
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert body in upload.content and b'name="file"; filename="volumes.csv"' in upload.content


def test_a_good_file_says_what_was_stored_and_flagged(stub_console) -> None:
    stored = httpx.Response(200, json={"rows": 40, "newly_flagged": ["NJ-2633-VT02"]})
    agent = stub_console(gateway(upload=stored))
    token = csrf(agent.get("/agent/analytics").text)
    page = agent.post("/agent/analytics/volumes", data={"csrf_token": token, "form_key": "k2"},
                      files={"file": ("v.csv", b"factory,iso_week,style,units\n", "text/csv")})  # fmt: skip
    assert page.status_code == 200
    assert "Production volumes saved: 40 rows" in page.text
    assert "Newly flagged batches: NJ-2633-VT02" in page.text


def test_no_file_chosen_is_explained_and_nothing_is_sent(stub_console, gateway_calls) -> None:
    agent = stub_console(gateway())
    token = csrf(agent.get("/agent/analytics").text)
    page = agent.post("/agent/analytics/volumes", data={"csrf_token": token, "form_key": "k3"})
    assert page.status_code == 422 and "Choose a CSV file to upload" in page.text
    assert not [r for r in gateway_calls if r.method == "POST"]


def test_an_agent_without_the_scope_gets_no_link_and_a_clear_refusal(stub_console,
                                                                     gateway_calls) -> None:  # fmt: skip
    agent = stub_console(gateway(), no_operations=True)
    start = agent.get("/agent")
    assert "/agent/analytics" not in start.text
    page = agent.get("/agent/analytics")
    assert page.status_code == 403
    assert "This needs the operations permission" in page.text and "scope_required" in page.text
    token = csrf(page.text)
    upload = agent.post("/agent/analytics/volumes", data={"csrf_token": token},
                        files={"file": ("v.csv", b"x", "text/csv")})  # fmt: skip
    assert upload.status_code == 403
    assert not [r for r in gateway_calls if "warranty" in r.url.path]


def test_the_local_token_carries_the_scope_only_when_not_declined(stub_console,
                                                                  gateway_calls) -> None:  # fmt: skip
    for declined, scope in [(False, "operations"), (True, None)]:
        agent = stub_console(gateway(), no_operations=declined)
        agent.get("/agent?tab=held")
        token = gateway_calls[-1].headers["Authorization"].removeprefix("Bearer ")
        assert jwt.decode(token, options={"verify_signature": False}).get("scope") == scope


def test_a_customer_gets_no_analytics_page(stub_console) -> None:
    customer = stub_console(gateway(), role="customer")
    assert customer.get("/agent/analytics").status_code == 404


def test_no_chart_is_drawn_before_any_volume_is_uploaded(stub_console) -> None:
    """Without volumes no batch has a rate: the page says so instead of an empty chart."""
    bare = {**REPORT, "batches": [REPORT["batches"][1]], "flagged": []}
    page = stub_console(gateway(report=httpx.Response(200, json=bare))).get("/agent/analytics")
    assert page.status_code == 200
    assert "defect-rate.svg" not in page.text
    assert "has an uploaded volume yet" in page.text


def test_an_oversized_file_reaches_the_api_cut_one_byte_past_its_limit(stub_console,
                                                                       gateway_calls) -> None:  # fmt: skip
    """The API is the judge of the 200 kB limit: it sees one byte too many, not the whole file;
    a request far larger is refused before it is read."""
    too_large = problem(422, "volumes_file_too_large")
    agent = stub_console(gateway(upload=too_large))
    token = csrf(agent.get("/agent/analytics").text)
    page = agent.post("/agent/analytics/volumes", data={"csrf_token": token, "form_key": "k4"},
                      files={"file": ("big.csv", b"x" * 300_000, "text/csv")})  # fmt: skip
    assert page.status_code == 422
    assert "The production volumes file is too large: nothing was changed" in page.text
    [upload] = [r for r in gateway_calls if r.method == "POST"]
    assert b"x" * 200_001 in upload.content and b"x" * 200_002 not in upload.content
    huge = agent.post("/agent/analytics/volumes", data={"csrf_token": token},
                      files={"file": ("huge.csv", b"x" * 1_100_000, "text/csv")})  # fmt: skip
    assert huge.status_code == 413 and "volumes_file_too_large" in huge.text
    assert len([r for r in gateway_calls if r.method == "POST"]) == 1
