"""The human-readable policy page, rendered from the same document the JSON endpoint serves."""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("services.warranty", "templates"),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_policy_html(document: dict[str, Any]) -> str:
    return _environment().get_template("policy.html.j2").render(**document)
