"""Which NATS the command line talks to: the stack `concierge up` runs on this data folder.

`concierge up` writes a lock file in its data folder (supervisor.LOCK_NAME) with, among other
things, the NATS URL it started. Commands that take `--nats-url` default to that URL while the
stack is alive, so `concierge status` finds a stack started with `--nats-port 5000` without being
told. Order: `--nats-url`, then CONCIERGE_NATS_URL, then the running stack, then port 4322.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from concierge_cli.supervisor import LOCK_NAME
from shared.messaging.streams import is_event_subject

NATS_URL_PARAM = "nats_url"
__all__ = ["is_event_subject", "nats_url_defaults", "running_nats_url"]


def running_nats_url(data_dir: Path) -> str | None:
    """The NATS URL of the live stack on `data_dir`, or None (no lock, or its process is gone).
    Read only: removing a stale lock is the supervisor's job."""
    try:
        lock = json.loads((data_dir / LOCK_NAME).read_text())
        pid = int(lock["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    try:
        os.kill(pid, 0)
    except PermissionError:
        pass  # alive, owned by another user
    except OSError:
        return None
    url = lock.get("nats_url")
    return url if isinstance(url, str) and url else None


def nats_url_defaults(command: Any, url: str) -> dict[str, Any]:
    """A click `default_map` giving every (sub)command that takes --nats-url this default.
    Click reads the default map after the command line and the environment, so both still win.
    `command` is typer's click command (a group has `commands`)."""
    subcommands = getattr(command, "commands", None)
    if isinstance(subcommands, dict):
        nested = {name: nats_url_defaults(sub, url) for name, sub in subcommands.items()}
        return {name: value for name, value in nested.items() if value}
    if any(param.name == NATS_URL_PARAM for param in command.params):
        return {NATS_URL_PARAM: url}
    return {}
