"""The policy page: the published policy rendered as readable HTML."""

from __future__ import annotations

from services.warranty.adapters.policy_html import render_policy_html


def test_policy_page_shows_versions_floor_and_exclusions(policy):
    html = render_policy_html(policy.to_document())
    assert html.startswith("<!doctype html>")
    assert "2019-01" in html and "2024-01" in html
    assert "24 months" in html and "not covered" in html
    assert "EU and UK" in html and "statutory minimum" in html
    assert "Water damage" in html and "edge paint" in html
