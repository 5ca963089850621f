from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from services.notifications.adapters import rendering
from services.notifications.adapters.rendering import (
    SMS_LIMIT,
    RenderError,
    build_environment,
    format_day,
    format_money,
    locale_chain,
    preview,
    render,
    sample_context,
)
from services.notifications.domain.channels import Part
from services.notifications.domain.messages import CATALOGUE, UnknownMessageKind

LOCALES = ["en-US", "en-GB", "en-IE"]


@pytest.mark.parametrize("kind", sorted(CATALOGUE))
@pytest.mark.parametrize("locale", LOCALES)
def test_every_kind_renders_in_every_locale(kind, locale):
    """Every message kind renders in every supported locale, every part."""
    message = render(kind, locale, sample_context(kind, locale))
    assert message.subject and "\n" not in message.subject
    assert message.text.startswith("Hello ")
    assert message.html.lstrip().startswith("<!DOCTYPE html>")
    assert f'lang="{locale}"' in message.html
    assert 0 < len(message.short_text) <= SMS_LIMIT
    assert "{{" not in message.text + message.html + message.subject


def test_babel_formats_per_locale():
    """Money and dates are formatted the way each locale writes them."""
    day = date(2026, 11, 23)
    assert format_money(Decimal("60.47"), "GBP", "en-GB") == "£60.47"
    assert format_money(Decimal("78"), "USD", "en-US") == "$78.00"
    assert format_money("71.50", "EUR", "en-IE") == "€71.50"
    assert format_day(day, "en-GB") == "23 November 2026"
    assert format_day(day, "en-US") == "November 23, 2026"
    assert format_day("2026-11-23", "en-IE") == "23 November 2026"


def test_uk_order_uses_pounds_and_british_dates():
    """A UK order shows pounds and British dates."""
    context = sample_context("order_confirmed", "en-GB")
    context["delivery_from"] = date(2026, 11, 23)
    message = render("order_confirmed", "en-GB", context)
    assert "23 November 2026" in message.text
    placed = render("order_placed", "en-GB", sample_context("order_placed", "en-GB"))
    assert "£60.47" in placed.text and "£60.47" in placed.html
    us = render("order_placed", "en-US", sample_context("order_placed", "en-US"))
    assert "$78.00" in us.text


def test_html_is_autoescaped_but_text_is_not():
    """Data is escaped in the HTML part and left as it is in the text part."""
    context = sample_context("claim_submitted", "en-US") | {"customer_name": "<b>Eve</b> & Co"}
    message = render("claim_submitted", "en-US", context)
    assert "&lt;b&gt;Eve&lt;/b&gt; &amp; Co" in message.html
    assert "<b>Eve</b>" not in message.html
    assert "Hello <b>Eve</b> & Co," in message.text


def test_locale_fallback_per_part():
    """A part missing for a locale falls back to the language's, part by part."""
    assert locale_chain("en-GB") == ["en-GB", "en", "default"]
    gb = render("claim_rma_issued", "en-GB", sample_context("claim_rma_issued", "en-GB"))
    us = render("claim_rma_issued", "en-US", sample_context("claim_rma_issued", "en-US"))
    assert gb.subject.startswith("Your return authorisation")  # en-GB override
    assert us.subject.startswith("Your return authorization")  # falls back to en
    assert "RMA form" in gb.text  # body falls back to en


def test_fallback_to_default_folder(tmp_path: Path):
    """A kind without its own locale folder uses the default one."""
    env = default_folder_environment(
        tmp_path,
        {
            "subject.txt.j2": "S {{ order_id }}",
            "body.txt.j2": "T {{ total | money(currency) }}",
            "body.html.j2": "<p>{{ customer_name }}</p>",
            "short.txt.j2": "short",
        },
    )
    context = {"order_id": "O1", "total": "5", "currency": "GBP", "customer_name": "A&B"}
    message = render("order_placed", "en-GB", context, env=env)
    assert message.subject == "S O1"
    assert message.text == "T £5.00\n"
    assert message.html == "<p>A&amp;B</p>"


@pytest.mark.parametrize("kind", sorted(CATALOGUE))
@pytest.mark.parametrize("locale", LOCALES)
def test_each_part_renders_exactly_as_jinja_renders_it(kind, locale, monkeypatch):
    """Parts are rendered from one flattened context (rendering._part), not through
    `Template.render`; the result must be the same, character for character."""
    fast = render(kind, locale, sample_context(kind, locale))
    monkeypatch.setattr(rendering, "_part", lambda template, values: template.render(values))
    assert render(kind, locale, sample_context(kind, locale)) == fast


def test_parts_see_jinja_globals_and_include_partials(tmp_path: Path):
    """The flattened context still carries the environment's globals (range, namespace), and
    an included partial sees the values; a global the values name is overridden by them."""
    (tmp_path / "_partials").mkdir()
    (tmp_path / "_partials" / "sig.txt.j2").write_text("-- {{ order_id }}")
    env = default_folder_environment(
        tmp_path,
        {
            "subject.txt.j2": "{% set ns = namespace(n=0) %}{% for i in range(3) %}"
            "{% set ns.n = ns.n + i %}{% endfor %}S{{ ns.n }} {{ dict }}",
            "body.txt.j2": "T {{ subject }} {% include '_partials/sig.txt.j2' %}",
            "body.html.j2": "<p>{{ customer_name }}</p>",
            "short.txt.j2": "short",
        },
    )
    context = {"order_id": "O1", "customer_name": "A", "dict": "mine"}
    message = render("order_placed", "en-GB", context, env=env)
    assert message.subject == "S3 mine"
    assert message.text == "T S3 mine -- O1\n"


def test_missing_data_is_a_render_error():
    """Missing required data is a render error with a stable code."""
    with pytest.raises(RenderError) as err:
        render("claim_rma_issued", "en-GB", {"customer_name": "Margaret"})
    assert err.value.code == "notifications_render_failed"


def test_unknown_kind_and_locale():
    """An unknown kind or locale is refused with a stable code."""
    with pytest.raises(UnknownMessageKind):
        render("nope", "en-GB", {})
    with pytest.raises(Exception) as err:
        render("order_placed", "de-DE", sample_context("order_placed", "en-GB"))
    assert err.value.code == "notifications_unsupported_locale"


def test_thank_you_mentions_the_repair_parts():
    """The thank-you note names the parts the repair used."""
    context = sample_context("claim_thank_you", "en-GB")
    message = render("claim_thank_you", "en-GB", context)
    assert "handle piping" in message.text
    context = context | {"resolution": "replacement", "replacement_name": "a new Juniper"}
    assert "replaced it with a new Juniper" in render("claim_thank_you", "en-GB", context).text


def test_order_failed_says_what_to_do():
    """A failed-order message says why and what the customer can do."""
    message = render("order_failed", "en-GB", sample_context("order_failed", "en-GB"))
    assert "What you can do: Join the waitlist" in message.text


def test_long_short_text_is_truncated():
    """The SMS and push text is cut to the SMS limit."""
    context = sample_context("order_failed", "en-GB") | {"reason": "x" * 300}
    assert len(render("order_failed", "en-GB", context).short_text) == SMS_LIMIT


def test_preview():
    """A preview shows every part of a kind rendered with sample data."""
    text = preview("claim_rma_issued", "en-GB")
    assert "Subject: Your return authorisation RMA-2026-000418" in text
    assert "23 December 2026" in text
    assert "Hello Margaret" in text


def test_cli_preview_and_kinds():
    """The CLI previews a kind and lists the kinds."""
    from typer.testing import CliRunner

    from services.notifications.entrypoints.cli import notify_app

    runner = CliRunner()
    result = runner.invoke(notify_app, ["preview", "order_placed", "--locale", "en-GB"])
    assert result.exit_code == 0, result.output
    assert "£60.47" in result.output
    result = runner.invoke(notify_app, ["kinds"])
    assert "claim_thank_you" in result.output
    result = runner.invoke(notify_app, ["preview", "nope"])
    assert result.exit_code == 2


def default_folder_environment(root: Path, parts: dict[str, str]) -> Any:
    """An environment over `root` whose only templates are order_placed's default folder."""
    base = root / "order_placed" / "default"
    base.mkdir(parents=True)
    for part, body in parts.items():
        (base / part).write_text(body)
    return build_environment(root)


def test_only_the_parts_asked_for_are_rendered():
    """The subject always; of the rest only `parts` (the others come back empty), each as the
    whole rendering gives it."""
    context = sample_context("order_placed", "en-GB")
    whole = render("order_placed", "en-GB", context)
    inbox = render("order_placed", "en-GB", context, frozenset({Part.TEXT}))
    assert (inbox.subject, inbox.text, inbox.html, inbox.short_text) == (
        whole.subject, whole.text, "", "")  # fmt: skip
    sms = render("order_placed", "en-GB", context, frozenset({Part.SHORT_TEXT}))
    assert (sms.subject, sms.text, sms.html, sms.short_text) == (
        whole.subject, "", "", whole.short_text)  # fmt: skip
