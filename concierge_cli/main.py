"""The `concierge` command line."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
from pathlib import Path
from typing import Annotated

import typer

from concierge_cli.dlq_commands import dlq_app
from concierge_cli.nats_access import NatsUrlOption, connect_or_exit
from concierge_cli.output import console, err_console, stack_table
from concierge_cli.supervisor import Stack, StackConfig, StackError
from shared.runtime.nats_server import NatsServerError
from shared.runtime.settings import DEFAULT_NATS_URL, ServiceSettings

app = typer.Typer(
    help="Concierge: customer-care backend (warranty, orders, notifications).", no_args_is_help=True
)
app.add_typer(dlq_app, name="dlq")


@app.callback()
def _configure(
    ctx: typer.Context,
    data_dir: Annotated[
        Path,
        typer.Option(
            envvar="CONCIERGE_DATA_DIR",
            help="Data folder of the running stack: commands use its NATS unless told otherwise.",
        ),
    ] = Path("var"),
) -> None:
    from concierge_cli.running_stack import nats_url_defaults, running_nats_url
    from shared.logging import configure_logging

    configure_logging("cli", "console", "WARNING")  # logs go to stderr; stdout stays parseable
    running = running_nats_url(data_dir)
    if running is not None:
        ctx.default_map = {**nats_url_defaults(ctx.command, running), **(ctx.default_map or {})}


@app.command()
def up(
    data_dir: Annotated[
        Path, typer.Option(help="Folder for databases, JetStream and logs.")
    ] = Path("var"),
    nats_url: Annotated[
        str | None, typer.Option(help="Use this NATS instead of starting one.")
    ] = None,
    nats_port: Annotated[int, typer.Option(help="Embedded NATS client port.")] = 4322,
    nats_monitor_port: Annotated[int, typer.Option(help="Embedded NATS monitoring port.")] = 8322,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Gateway HTTP port.")] = 8000,
    web_port: Annotated[int, typer.Option(help="Console (web) HTTP port.")] = 8080,
    nats_gomaxprocs: Annotated[
        int,
        typer.Option(
            min=0,
            envvar="CONCIERGE_NATS_GOMAXPROCS",
            help="GOMAXPROCS of the embedded NATS (0: Go's default, one per core).",
        ),
    ] = 1,
    partner_nats: Annotated[
        bool,
        typer.Option(help="Start embedded NATS with the partner-access accounts from deploy/nats."),
    ] = False,
) -> None:
    """Start NATS, the three services, the gateway and the console; Ctrl-C stops them in order."""
    data_dir = data_dir.resolve()
    extra = ""
    if partner_nats:
        extra = (Path.cwd() / "deploy" / "nats" / "embedded-accounts.conf").read_text()
    stack = Stack(
        StackConfig(
            data_dir,
            host,
            nats_url,
            nats_port,
            nats_monitor_port,
            port,
            web_port,
            nats_extra_config=extra,
            nats_go_max_procs=nats_gomaxprocs or None,
        ),
        cwd=Path.cwd(),
    )
    running = stack.running_stack()
    if running is not None:
        console.print(stack_table(running, "already running"))
        console.print(
            f"A stack is already running on {data_dir} (pid {running['pid']}); not starting another."
        )
        raise typer.Exit(0)
    stopping = False

    def request_stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    started = time.monotonic()
    try:
        stack.start()
    except (StackError, NatsServerError) as exc:
        err_console.print(f"[red]concierge up failed:[/red] {exc}")
        stack.stop()
        raise typer.Exit(1) from exc
    console.print(stack_table(stack.describe(), "ready"))
    console.print(
        f"Ready in {time.monotonic() - started:.1f}s. Logs: {data_dir / 'logs'}. Ctrl-C to stop."
    )
    while not stopping:
        time.sleep(0.2)
        for name in stack.restart_dead_children():
            err_console.print(f"[yellow]{name} exited unexpectedly; restarted[/yellow]")
    console.print("Stopping: console, gateway, services, NATS...")
    stack.stop()
    console.print("Stopped.")


@app.command()
def migrate(
    service: Annotated[str, typer.Argument(help="warranty | orders | notifications")],
    revision: Annotated[str, typer.Option(help="Target revision (head, base, or an id).")] = "head",
    down: Annotated[bool, typer.Option(help="Downgrade to the revision instead.")] = False,
) -> None:
    """Apply (or roll back) a service's database migrations."""
    from shared.persistence.migrations import downgrade, upgrade

    settings, migrations = _service_db(service)
    url = settings.resolved_database_url(service)
    (downgrade if down else upgrade)(
        url, migrations, revision if revision != "head" or not down else "base"
    )
    console.print(
        f"{service}: migrated {'down' if down else 'up'} to {revision} on {url.split('://')[0]}"
    )


def _service_db(service: str) -> tuple[ServiceSettings, Path]:
    import importlib

    if service not in ("warranty", "orders", "notifications"):
        raise typer.BadParameter("service must be warranty, orders or notifications")
    settings_mod = importlib.import_module(f"services.{service}.settings")
    settings: ServiceSettings = settings_mod.Settings()
    package_file = importlib.import_module(f"services.{service}").__file__
    assert package_file is not None
    return settings, Path(package_file).parent / "migrations"


@app.command()
def status(
    nats_url: NatsUrlOption = DEFAULT_NATS_URL,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Streams, consumers and lag, DLQ size, held messages, and which services answer."""
    from concierge_cli.status import collect

    async def run() -> dict[str, object]:
        nc = await connect_or_exit(nats_url, "concierge-status")
        try:
            return await collect(nc)
        finally:
            await nc.drain()

    report = asyncio.run(run())
    if as_json:
        console.print_json(json.dumps(report, default=str))
        return
    from rich.table import Table

    services = Table(title="Services")
    for col in ("service", "up", "instance", "database"):
        services.add_column(col)
    for s in report["services"]:  # type: ignore[attr-defined]
        services.add_row(
            s["service"], str(s["up"]), str(s.get("instance", "-")), str(s.get("database", "-"))
        )
    streams = Table(
        title=f"Streams (DLQ size: {report['dlq_size']}; "
        f"messages held for an agent: {report['held_messages']})"
    )
    for col in (
        "stream",
        "messages",
        "replicas",
        "consumer",
        "pending",
        "ack pending",
        "redelivered",
    ):
        streams.add_column(col)
    for st in report["streams"]:  # type: ignore[attr-defined]
        consumers = st.get("consumers") or [{}]
        for c in consumers:
            streams.add_row(
                st["stream"],
                str(st.get("messages", st.get("error", ""))),
                str(st.get("replicas", "")),
                c.get("name", "-"),
                str(c.get("pending", "")),
                str(c.get("ack_pending", "")),
                str(c.get("redelivered", "")),
            )
    console.print(services)
    console.print(streams)


@app.command()
def docs(
    out: Annotated[Path, typer.Option(help="Folder for openapi.json and asyncapi.json.")] = Path(
        "docs"
    ),
) -> None:
    """Write the OpenAPI and AsyncAPI documents (CI checks they are current)."""
    from services.gateway.docs import write_docs

    for path in write_docs(out):
        console.print(f"wrote {path}")


def _register_owned_commands() -> None:
    """Commands whose code lives with the component they serve."""
    from concierge_cli.auth_commands import partner_app, token
    from concierge_cli.demo import demo
    from services.notifications.entrypoints.cli import notify_app

    app.command("token")(token)
    app.command("demo")(demo)
    app.add_typer(partner_app, name="partner")
    app.add_typer(notify_app, name="notify")


_register_owned_commands()

if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    app()
