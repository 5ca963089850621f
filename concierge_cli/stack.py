"""What `concierge up` runs: the processes of the stack, their order, ports and environment.

One list, so `concierge up`, docker-compose and Kubernetes (tests compare them) start the same
commands.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class ProcessSpec:
    name: str
    module: str  # run as `python -m <module>`
    env_prefix: str
    is_gateway: bool = False
    is_web: bool = False

    def command(self) -> list[str]:
        return [sys.executable, "-m", self.module]


SERVICES = (
    ProcessSpec("warranty", "services.warranty", "WARRANTY_"),
    ProcessSpec("orders", "services.orders", "ORDERS_"),
    ProcessSpec("notifications", "services.notifications", "NOTIFICATIONS_"),
)
GATEWAY = ProcessSpec("gateway", "services.gateway", "GATEWAY_", is_gateway=True)
# The console: a client of the gateway's public HTTP API only, started after it, stopped first.
WEB = ProcessSpec("web", "services.web", "WEB_", is_web=True)
STACK = (*SERVICES, GATEWAY, WEB)
