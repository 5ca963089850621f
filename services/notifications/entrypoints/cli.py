"""`concierge notify ...`: preview message templates; list and settle held messages.

Register with `app.add_typer(notify_app, name="notify")` in concierge_cli/main.py.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated, Any

import typer
from nats import errors as nats_errors

from shared.contracts import notifications as c
from shared.errors import DomainError
from shared.runtime.settings import DEFAULT_NATS_URL

from ..adapters.rendering import preview
from ..domain.messages import CATALOGUE
from ..domain.preferences import SUPPORTED_LOCALES

notify_app = typer.Typer(help="Notification templates and held messages.", no_args_is_help=True)


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


NatsUrl = Annotated[
    str, typer.Option("--nats-url", envvar="CONCIERGE_NATS_URL", help="NATS server URL(s).")
]
AgentName = Annotated[
    str, typer.Option("--agent", help="Who decides; logged by the service with the decision.")
]


@notify_app.command("held")
def held_command(
    nats_url: NatsUrl = DEFAULT_NATS_URL,
    agent: AgentName = "operator",
) -> None:
    """List messages held after an interrupted hand-over (see docs/operations.md)."""
    payload = {"limit": HELD_PAGE}
    held = c.HeldMessages.model_validate(
        _run(nats_url, c.Subjects.LIST_HELD_MESSAGES, payload, agent)
    )
    for m in held.messages:
        typer.echo(f"{m.message_id}  {m.created_at:%Y-%m-%d %H:%M}  {m.channel:6} {m.kind:28} "
                   f"{m.customer_id}  {m.address}  ({m.last_error})")  # fmt: skip
    more = " (the newest; settle these to see the rest)" if len(held.messages) == HELD_PAGE else ""
    typer.echo(f"{len(held.messages)} held{more}")


@notify_app.command("settle")
def settle_command(
    message_id: Annotated[str, typer.Argument(help="Id shown by `concierge notify held`.")],
    outcome: Annotated[str, typer.Argument(help="sent: the provider has it; resend: it does not.")],
    nats_url: NatsUrl = DEFAULT_NATS_URL,
    agent: AgentName = "operator",
) -> None:
    """Settle a held message: record it as sent, or send it again."""
    if outcome not in ("sent", "resend"):
        raise typer.BadParameter("outcome must be sent or resend")
    payload = {"message_id": message_id, "outcome": outcome}
    reply = _run(nats_url, c.Subjects.RESOLVE_HELD_MESSAGE, payload, agent)
    typer.echo(f"{message_id}: {c.HeldMessage.model_validate(reply).status}")


HELD_PAGE = 500


def _run(nats_url: str, subject: str, payload: dict[str, Any], agent: str) -> Any:
    """One RPC as an agent; a refusal or an unreachable service is a message, not a traceback."""
    try:
        return asyncio.run(_call(nats_url, subject, payload, agent))
    except DomainError as exc:
        typer.echo(f"{exc.code}: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    except (OSError, TimeoutError, nats_errors.Error) as exc:
        typer.echo(f"cannot reach the notifications service at {nats_url}: {exc}", err=True)
        raise typer.Exit(1) from exc


async def _call(nats_url: str, subject: str, payload: dict[str, Any], agent: str) -> Any:
    from shared.actor import Actor
    from shared.nats_conn import connect
    from shared.rpc import RpcClient

    nc = await connect(nats_url, "concierge-notify", give_up_after=3)
    try:
        return await RpcClient(nc).call(subject, payload, actor=Actor(type="agent", id=agent))
    finally:
        await nc.drain()


@notify_app.command("reseal-secrets")
def reseal_secrets_command() -> None:
    """Re-seal partners' webhook signing secrets with the first NOTIFICATIONS_WEBHOOK_SECRET_KEYS
    key (after adding a new key; before dropping the old one). Uses the service's settings."""
    from shared.messaging.outbox import UnitOfWork
    from shared.persistence.db import Database
    from shared.persistence.migrations import upgrade_async

    from ..adapters.unit_of_work import sql_unit_of_work
    from ..service_layer.webhooks import reseal_secrets
    from ..settings import Settings

    settings = Settings()

    async def run() -> int:
        url = settings.resolved_database_url("notifications")
        migrations = Path(__file__).parents[1] / "migrations"
        await upgrade_async(url, migrations)  # as the service does
        db = Database(url)
        try:
            return await reseal_secrets(sql_unit_of_work(UnitOfWork(db), settings.secret_box))
        finally:
            await db.dispose()

    try:
        count = asyncio.run(run())
    except DomainError as exc:
        typer.echo(f"{exc.code}: {exc.message}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"{count} webhook signing secrets sealed with the first key")
