"""How CLI commands reach NATS: a few attempts, then one line and exit 1 (never a hang)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from concierge_cli.output import err_console

CLI_CONNECT_ATTEMPTS = 3  # then "cannot reach NATS", rather than waiting for ever

NatsUrlOption = Annotated[
    str, typer.Option("--nats-url", envvar="CONCIERGE_NATS_URL", help="NATS server URL(s).")
]


async def with_js(nats_url: str, fn):  # type: ignore[no-untyped-def]
    nc = await connect_or_exit(nats_url, "concierge-cli")
    try:
        return await fn(nc.jetstream())
    finally:
        await nc.drain()


async def connect_or_exit(nats_url: str, name: str) -> Any:
    """A few attempts, then a one-line error and exit 1 (not a traceback, not a hang)."""
    from nats.errors import NoServersError

    from shared.nats_conn import connect

    try:
        return await connect(nats_url, name, give_up_after=CLI_CONNECT_ATTEMPTS)
    except (NoServersError, OSError, TimeoutError) as exc:
        err_console.print(f"cannot reach NATS at {nats_url}: {exc} (is `concierge up` running?)")
        raise typer.Exit(1) from exc
