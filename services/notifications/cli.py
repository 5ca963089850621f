"""`concierge notify ...`: preview message templates with sample data.

Register with `app.add_typer(notify_app, name="notify")` in concierge_cli/main.py.
"""

from __future__ import annotations

from typing import Annotated

import typer

from shared.errors import DomainError

from .adapters.rendering import preview
from .domain.messages import CATALOGUE
from .domain.preferences import SUPPORTED_LOCALES

notify_app = typer.Typer(help="Notification templates.", no_args_is_help=True)


@notify_app.command("preview")
def preview_command(
    kind: Annotated[str, typer.Argument(help="Message kind, e.g. claim_rma_issued.")],
    locale: Annotated[str, typer.Option(help=f"One of {', '.join(SUPPORTED_LOCALES)}.")] = "en-US",
) -> None:
    """Render KIND for LOCALE with sample data: subject, text, SMS/push text and HTML."""
    try:
        typer.echo(preview(kind, locale))
    except DomainError as exc:
        typer.echo(f"{exc.code}: {exc.message}", err=True)
        raise typer.Exit(2) from exc


@notify_app.command("kinds")
def kinds_command() -> None:
    """List the message kinds and what each is for."""
    for name, kind in sorted(CATALOGUE.items()):
        channels = ",".join(sorted(kind.channels))
        typer.echo(f"{name:28} {kind.category:13} {channels:24} {kind.description}")
