"""`concierge demo`: the customer stories (a claim, an order, a return) against a running stack, through the public HTTP API.

It signs its own local tokens (as `concierge token` does), uses fresh customer ids on every run,
and prints a timeline: each step, its HTTP calls, the events it produced (read back from the
claim's or order's timeline) and the messages the customer got (read from her in-app inbox).
Exit code 0 when every story reaches its final state, 1 at the first step that misbehaves,
2 for unusable options or settings.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from concierge_cli import demo_story1, demo_story2, demo_story3
from concierge_cli.demo_http import Actor, DemoContext, DemoHttp, Step, StepFailed, expect
from concierge_cli.output import console, err_console
from services.gateway.settings import GatewaySettings

STORIES = {"1": demo_story1.play, "2": demo_story2.play, "3": demo_story3.play}
ALL = ("all", "both")  # "both" from when there were two stories: every story


class Renderer:
    """Rich output, one block per step as it finishes (the whole run takes a minute or two)."""

    def __init__(self, out: Console, quiet: bool) -> None:
        self.out, self.quiet, self.story = out, quiet, ""
        self.steps: list[Step] = []

    def step(self, step: Step) -> None:
        self.steps.append(step)
        if self.quiet:
            return
        if step.story != self.story:
            self.story = step.story
            self.out.rule(f"[bold]{escape(step.story)}")
        mark = "[green]OK[/green]" if step.ok else "[red]FAILED[/red]"
        self.out.print(f"[bold]{step.number:>2}. {escape(step.title)}[/bold]  "
                       f"[dim]{escape(step.actor)}, {step.elapsed_ms} ms[/dim]  {mark}")  # fmt: skip
        for call in step.calls:
            colour = "green" if 200 <= call.status < 300 else "yellow"
            self.out.print(
                f"      [{colour}]{escape(call.label())}[/{colour}] [dim]{call.ms} ms[/]"
            )
        for line in step.details:
            self.out.print(f"      {escape(line)}")
        for event in step.events:
            self.out.print(f"      [cyan]event[/cyan]    {escape(event)}")
        for message in step.messages:
            self.out.print(f"      [magenta]message[/magenta]  {escape(message)}")
        if step.error:
            self.out.print(f"      [red]{escape(step.error)}[/red]")

    def wait(self, text: str) -> None:
        if not self.quiet:
            self.out.print(f"      [dim]... {escape(text)}[/dim]")

    def summary(self, doc: dict[str, Any]) -> None:
        table = Table(title="Concierge demo: summary")
        for column in ("#", "step", "calls", "events", "msgs", "ms", ""):
            table.add_column(column, overflow="fold")
        story = ""
        for s in self.steps:
            if story and s.story != story:
                table.add_section()
            story = s.story
            table.add_row(str(s.number), s.title, str(sum(c.count for c in s.calls)),
                          str(len(s.events)), str(len(s.messages)), str(s.elapsed_ms),
                          "[green]ok[/]" if s.ok else "[red]FAILED[/]")  # fmt: skip
        self.out.print(table)
        for name, outcome in doc["stories"].items():
            self.out.print(f"{name}: {escape(json.dumps(outcome))}")
        verdict = "[green]passed[/green]" if doc["ok"] else "[red]failed[/red]"
        self.out.print(f"Demo {verdict} in {doc['elapsed_ms'] / 1000:.1f} s (run {doc['run_id']}).")


def _settings(secret: str | None, issuer: str | None, audience: str | None) -> GatewaySettings:
    try:
        settings = GatewaySettings()
    except ValueError as exc:
        err_console.print(f"Invalid gateway settings: {exc}")
        raise typer.Exit(2) from exc
    if not settings.is_local:
        err_console.print("`concierge demo` signs local tokens; it needs GATEWAY_ENV=local.")
        raise typer.Exit(2)
    overrides = {"jwt_secret": secret, "jwt_issuer": issuer, "jwt_audience": audience}
    return settings.model_copy(update={k: v for k, v in overrides.items() if v})


def _preflight(http: DemoHttp) -> None:
    with http.step("Preflight", "The gateway is up and its services answer", Actor("demo", "", "")):
        ready = http.json(None, "GET", "/readyz")
        expect(ready.get("status") == "ready", "the stack is not ready", ready)
        http.current.details.append(f"{http.api}: {ready['status']} {ready.get('checks', {})}")


def run_demo(
    api: str, settings: GatewaySettings, *, stories: str = "all", timeout: float = 20.0,
    delivery_timeout: float = 180.0, renderer: Renderer | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Play the stories; return the JSON document (`ok` false with `failure` on a bad step)."""
    http = DemoHttp(api, settings)
    if renderer:
        http.on_step, http.on_wait = renderer.step, renderer.wait
    ctx = DemoContext(http, uuid.uuid4().hex[:8], timeout, delivery_timeout)
    started, failure = time.monotonic(), None
    try:
        _preflight(http)
        for key, play in STORIES.items():
            if stories in (*ALL, key):
                play(ctx)
    except Exception as exc:  # any misbehaviour ends the run with the step and the body
        body = exc.body if isinstance(exc, StepFailed) else http.last_body
        step = http.steps[-1] if http.steps else None
        failure = {"step": step.number if step else None, "story": step.story if step else None,
                   "title": step.title if step else None, "error": str(exc) or repr(exc),
                   "response_body": body}  # fmt: skip
    finally:
        http.close()
    return {"ok": failure is None, "api": http.api, "run_id": ctx.run_id,
            "elapsed_ms": round((time.monotonic() - started) * 1000), "stories": ctx.outcomes,
            "steps": [s.as_dict() for s in http.steps], "failure": failure}  # fmt: skip


def _report_failure(failure: dict[str, Any]) -> None:
    err_console.print(f"[red]concierge demo failed[/red] at step {failure['step']} "
                      f"({escape(str(failure['story']))}: {escape(str(failure['title']))}): "
                      f"{escape(failure['error'])}")  # fmt: skip
    body = failure["response_body"]
    if body:
        if isinstance(body, str):
            try:
                body = json.loads(body)
            except ValueError:
                pass
        text = body if isinstance(body, str) else json.dumps(body, indent=2, default=str)
        err_console.print("response body:", escape(text), sep="\n")


def demo(
    api: Annotated[str, typer.Option(help="Base URL of the running gateway.",
                                     envvar="CONCIERGE_API")] = "http://127.0.0.1:8000",
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON document.")] = False,
    story: Annotated[str, typer.Option(
        help="all, 1 (handbag), 2 (UK order) or 3 (return).")] = "all",
    timeout: Annotated[float, typer.Option(
        help="Seconds to wait for anything asynchronous (saga steps, messages).", min=1)] = 20.0,
    delivery_timeout: Annotated[float, typer.Option(
        help="Seconds to wait for the sandbox carrier (ships after 30 s, delivers after 90 s "
             "by default; ORDERS_CARRIER_* on the stack).", min=1)] = 180.0,
    jwt_secret: Annotated[str | None, typer.Option(
        help="HS256 secret (default: GATEWAY_JWT_SECRET or the local one).", show_default=False)] = None,
    jwt_issuer: Annotated[str | None, typer.Option(help="Default: GATEWAY_JWT_ISSUER.")] = None,
    jwt_audience: Annotated[str | None, typer.Option(help="Default: GATEWAY_JWT_AUDIENCE.")] = None,
) -> None:  # fmt: skip
    """Play the customer stories against a running stack through the public HTTP API."""
    if story not in (*ALL, *STORIES):
        raise typer.BadParameter("--story must be all, 1, 2 or 3")
    settings = _settings(jwt_secret, jwt_issuer, jwt_audience)
    renderer = Renderer(console, quiet=as_json)
    doc = run_demo(api, settings, stories=story, timeout=timeout,
                   delivery_timeout=delivery_timeout, renderer=renderer)  # fmt: skip
    if as_json:
        sys.stdout.write(json.dumps(doc, indent=2, default=str) + "\n")
    else:
        renderer.summary(doc)
    if doc["failure"]:
        _report_failure(doc["failure"])
        raise typer.Exit(1)
