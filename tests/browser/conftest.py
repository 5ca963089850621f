"""The console in a real browser against a real stack.

One stack per test session (per xdist worker): an embedded nats-server, the three services, the
gateway and the console as `concierge up` starts them, on free ports, with the sandbox carrier's
schedule compressed as in the e2e tests. Pages are driven by Playwright with Debian's Chromium
(Playwright's own browser download is not reachable): the tests skip only outside CI when
Chromium is missing, and fail in CI.
"""

from __future__ import annotations

import email
import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from shared.runtime.nats_server import free_port
from tests.e2e.conftest import JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET, MailSink, local_stack

CHROMIUM = os.environ.get("CONCIERGE_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
FAST_CARRIER = {
    "ORDERS_CARRIER_IN_TRANSIT_AFTER": "1",
    "ORDERS_CARRIER_DELIVERED_AFTER": "2",
    "ORDERS_SAGA_SWEEP_INTERVAL": "0.5",
    "ORDERS_TRACKING_POLL_INTERVAL": "0.5",
}


@dataclass
class Console:
    url: str
    api: str
    data_dir: Path
    mail: MailSink
    nats_url: str

    def log(self, name: str) -> str:
        return (self.data_dir / "logs" / f"{name}.log").read_text(errors="replace")


@dataclass
class CuttingSmtp:
    """An SMTP server that, while `cutting` is on, reads a whole message (final dot included)
    and then drops the connection without answering: the sender cannot know whether it was
    queued, so the notifications service holds the message for an agent. Switched off, it
    accepts and keeps what it receives, as a healthy relay would."""

    cutting: bool = True
    received: list[Message] = field(default_factory=list)
    cut: list[Message] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content)
        if self.cutting:
            self.cut.append(message)
            server.transport.abort()  # no reply after the dot: the hand-over broke off
        else:
            self.received.append(message)
        return "250 OK"


@contextmanager
def cutting_smtp() -> Iterator[tuple[CuttingSmtp, dict[str, str]]]:
    """The server and the notifications settings that send through it."""
    handler = CuttingSmtp()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield handler, {"NOTIFICATIONS_SMTP_HOST": "127.0.0.1",
                        "NOTIFICATIONS_SMTP_PORT": str(controller.port),
                        "NOTIFICATIONS_DELIVERY_POLL_INTERVAL": "0.2"}  # fmt: skip
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    if os.environ.get("CI") == "true":
        pytest.fail(
            f"CI must run the browser tests: no Chromium at {CHROMIUM} (apt-get install chromium)"
        )
    pytest.skip("Debian's chromium is not installed (CI installs it)")


@contextmanager
def console_stack(data_dir: Path, carrier: dict[str, str]) -> Iterator[Console]:
    """`concierge up`'s processes and the console on free ports, with this carrier schedule."""
    env = {
        "GATEWAY_JWT_SECRET": JWT_SECRET,
        "GATEWAY_JWT_ISSUER": JWT_ISSUER,
        "GATEWAY_JWT_AUDIENCE": JWT_AUDIENCE,
        "NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        **carrier,
    }
    with local_stack(data_dir, env, timeout=90) as (stack, mail):
        yield Console(stack.console_url, stack.api_url, data_dir, mail, stack.nats_url)


@pytest.fixture(scope="session")
def console(tmp_path_factory: pytest.TempPathFactory, chromium_path: str) -> Iterator[Console]:
    with console_stack(tmp_path_factory.mktemp("console-stack"), FAST_CARRIER) as console:
        yield console


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[object]:
    # Per module: Playwright's sync API is gone before the worker runs any asyncio test module.
    from playwright.sync_api import expect, sync_playwright

    # Two cores shared with another test worker: assertions wait up to 15 s, not 5.
    expect.set_options(timeout=15_000)

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=chromium_path, args=["--no-sandbox"])
        yield chromium
        chromium.close()


SignIn = Callable[..., object]


@pytest.fixture
def sign_in(browser, console: Console) -> Iterator[SignIn]:
    """A fresh browser context signed in through the console's own sign-in page."""
    contexts = []

    def open_as(subject: str, role: str = "customer", locale: str = "en-GB",
                viewport: tuple[int, int] = (1280, 900)):  # fmt: skip
        context = browser.new_context(base_url=console.url, accept_downloads=True,
                                      viewport={"width": viewport[0], "height": viewport[1]})  # fmt: skip
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/sign-in")
        page.get_by_label("Customer or agent id").fill(subject)
        page.get_by_label("Agent" if role == "agent" else "Customer", exact=True).check()
        page.get_by_label("Formats").select_option(locale)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page

    yield open_as
    for context in contexts:
        context.close()
