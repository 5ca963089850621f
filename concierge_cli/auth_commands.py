"""Local credentials: `concierge token` (a signed JWT) and `concierge partner create|list|revoke`.

`token` signs with the gateway's local secret (GATEWAY_JWT_SECRET / placeholder) and refuses to
run when GATEWAY_ENV=production: production tokens come from the identity provider. Partner keys
go to the `partner_keys` KV bucket of the running NATS; the plain key is printed once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer
from nats.errors import Error as NatsError

from services.gateway.partner_keys import PARTNER_ACTIONS, PartnerKeyStore
from services.gateway.settings import GatewaySettings

T = TypeVar("T")

partner_app = typer.Typer(
    help="Partner API keys (hashed in the NATS KV bucket `partner_keys`).", no_args_is_help=True
)

NatsUrl = Annotated[
    str | None,
    typer.Option(
        "--nats-url",
        # CONCIERGE_NATS_URL like every other command; GATEWAY_NATS_URL (the gateway's own
        # setting, which this option used to read) still works.
        envvar=["CONCIERGE_NATS_URL", "GATEWAY_NATS_URL"],
        help="NATS of the running stack (default: the stack on --data-dir, else settings).",
    ),
]


def _settings() -> GatewaySettings:
    try:
        return GatewaySettings()
    except ValueError as exc:
        typer.echo(f"Invalid gateway settings: {exc}", err=True)
        raise typer.Exit(2) from exc


def token(
    customer: Annotated[
        str, typer.Option("--customer", help="Subject: the customer (or agent) id.")
    ] = "cust-demo",
    role: Annotated[str, typer.Option("--role", help="customer | agent")] = "customer",
    ttl: Annotated[int, typer.Option("--ttl", help="Lifetime in seconds.", min=60)] = 3600,
    scope: Annotated[str, typer.Option("--scope", help="Optional space-separated scopes.")] = "",
) -> None:
    """Print a signed JWT for the local gateway (use as `Authorization: Bearer <token>`)."""
    from services.gateway.auth import mint_token
    from services.gateway.identity import InvalidIdentity

    settings = _settings()
    if not settings.is_local:
        typer.echo(
            "`concierge token` only works with GATEWAY_ENV=local; use your identity provider.",
            err=True,
        )
        raise typer.Exit(2)
    if role not in ("customer", "agent"):
        typer.echo("--role must be customer or agent", err=True)
        raise typer.Exit(2)
    if ttl > settings.jwt_max_ttl_seconds:
        typer.echo(f"--ttl must be at most {settings.jwt_max_ttl_seconds} s", err=True)
        raise typer.Exit(2)
    try:
        signed = mint_token(settings, customer, role, ttl, scope)  # type: ignore[arg-type]
    except InvalidIdentity as exc:
        # The gateway would refuse this token with 401 invalid_token: do not hand it out.
        typer.echo(f"Refusing to mint this token ({exc}).", err=True)
        raise typer.Exit(2) from exc
    typer.echo(signed)


async def _with_store(nats_url: str | None, action: Callable[[PartnerKeyStore], Awaitable[T]]) -> T:
    from services.gateway.runtime import open_buckets
    from shared.nats_conn import connect

    settings = _settings()
    nc = await connect(nats_url or settings.nats_url, name="concierge-cli", give_up_after=3)
    try:
        _, partner_kv = await open_buckets(nc.jetstream(), settings)
        return await action(PartnerKeyStore(partner_kv, settings.api_key_pepper))
    finally:
        await nc.drain()


def _run(nats_url: str | None, action: Callable[[PartnerKeyStore], Awaitable[T]]) -> T:
    try:
        return asyncio.run(_with_store(nats_url, action))
    except (OSError, TimeoutError, NatsError) as exc:
        typer.echo(f"Cannot reach NATS ({exc}); is the stack running (`concierge up`)?", err=True)
        raise typer.Exit(1) from exc


@partner_app.command("create")
def partner_create(
    name: Annotated[str, typer.Argument(help="Partner name, e.g. acme-repairs.")],
    event_type: Annotated[
        list[str],
        typer.Option(
            "--event-type", "-e", help="Event type or pattern (repeatable), e.g. warranty.claim.*"
        ),
    ],
    action: Annotated[
        list[str],
        typer.Option(
            "--action",
            "-a",
            help=f"Allowed action (repeatable): {', '.join(sorted(PARTNER_ACTIONS))}",
        ),
    ],
    nats_url: NatsUrl = None,
) -> None:
    """Create a key; the plain key is printed once and cannot be shown again."""
    unknown = sorted(set(action) - PARTNER_ACTIONS.keys())
    if unknown:
        typer.echo(f"Unknown action(s) {unknown}; known: {sorted(PARTNER_ACTIONS)}", err=True)
        raise typer.Exit(2)
    plain, record = _run(nats_url, lambda store: store.create(name, list(event_type), list(action)))
    typer.echo(json.dumps({"api_key": plain, **record.public()}, indent=2))
    typer.echo("Store this key now: it is kept only as a hash.", err=True)


@partner_app.command("list")
def partner_list(nats_url: NatsUrl = None) -> None:
    """List keys (ids, names, scopes, revocation), never the keys themselves."""
    records = _run(nats_url, lambda store: store.list())
    rows: list[dict[str, Any]] = [r.public() for r in records]
    typer.echo(json.dumps(rows, indent=2))


@partner_app.command("revoke")
def partner_revoke(
    key_id: Annotated[str, typer.Argument(help="The key id (the part after `ck_`).")],
    nats_url: NatsUrl = None,
) -> None:
    """Revoke a key at once (the record is kept for the audit trail)."""
    record = _run(nats_url, lambda store: store.revoke(key_id))
    if record is None:
        typer.echo(f"No key {key_id}", err=True)
        raise typer.Exit(1)
    typer.echo(json.dumps(record.public(), indent=2))
