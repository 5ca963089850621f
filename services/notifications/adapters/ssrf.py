"""Refuse webhook targets that would make us call into our own network (SSRF).

A URL is checked for scheme, then its host is resolved and *every* address must be public:
private, loopback, link-local (cloud metadata at 169.254.169.254), multicast, reserved,
unspecified and shared/CGNAT ranges are refused unless a setting allows private targets (local
runs and tests). Checked at registration and again before each send, because DNS can change.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..domain.errors import WebhookTargetRefused

Resolver = Callable[[str, int], Awaitable[list[str]]]
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


@dataclass(frozen=True)
class TargetPolicy:
    allow_private: bool = False
    require_https: bool = False


async def system_resolver(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def refusal_reason(address: IPAddress) -> str | None:
    """Why an address is not a public unicast address, or None if it is."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return refusal_reason(address.ipv4_mapped)
    checks = (
        ("loopback", address.is_loopback),
        ("link_local", address.is_link_local),
        ("multicast", address.is_multicast),
        ("unspecified", address.is_unspecified),
        ("reserved", address.is_reserved),
        ("private", address.is_private),
        ("shared", isinstance(address, ipaddress.IPv4Address) and address in _CGNAT),
        ("not_global", not address.is_global),
    )
    return next((name for name, hit in checks if hit), None)


def _refuse(url: str, reason: str, **details: str) -> WebhookTargetRefused:
    return WebhookTargetRefused(
        f"webhook target refused: {reason}", details={"url": url, "reason": reason, **details}
    )


async def check_target(
    url: str, policy: TargetPolicy, resolver: Resolver = system_resolver
) -> list[str]:
    """Validate `url` and return the addresses it resolves to; raise WebhookTargetRefused."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise _refuse(url, "scheme")
    if policy.require_https and parts.scheme != "https":
        raise _refuse(url, "https_required")
    host = parts.hostname
    if not host:
        raise _refuse(url, "no_host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise _refuse(url, "bad_port") from None
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = await resolver(host, port)
        except (OSError, UnicodeError):
            raise _refuse(url, "unresolvable") from None
    if not addresses:
        raise _refuse(url, "unresolvable")
    if not policy.allow_private:
        for text in addresses:
            reason = refusal_reason(ipaddress.ip_address(text.split("%")[0]))
            if reason is not None:
                raise _refuse(url, reason, address=text)
    return addresses
