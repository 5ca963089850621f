"""Console output helpers (rich) shared by the CLI commands."""

from __future__ import annotations

from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table

console = Console()
err_console = Console(stderr=True)


def fail(message: str) -> NoReturn:
    """One plain line on stderr (no rich wrapping or markup: it may quote stored data), exit 1."""
    typer.echo(" ".join(message.split()), err=True)
    raise typer.Exit(1)


def stack_table(desc: dict[str, object], state: str) -> Table:
    table = Table(title=f"Concierge stack ({state})")
    for col in ("service", "pid", "state", "URL"):
        table.add_column(col)
    table.add_row("nats", "-", state, str(desc.get("nats_url")))
    if desc.get("nats_monitor"):
        table.add_row("nats monitoring", "-", state, str(desc["nats_monitor"]))
    processes: list[dict[str, Any]] = desc.get("processes", [])  # type: ignore[assignment]
    for proc in processes:
        url = str(proc["health"])
        table.add_row(str(proc["name"]), str(proc["pid"]), state, url)
    api = str(desc.get("api"))
    table.add_row("API", "-", state, api)
    table.add_row("API docs", "-", state, f"{api}/docs")
    table.add_row("AsyncAPI (events)", "-", state, f"{api}/asyncapi.json")
    if desc.get("console"):
        table.add_row("Console (open in a browser)", "-", state, str(desc["console"]))
    return table
