import ipaddress

import pytest

from services.notifications.adapters.ssrf import TargetPolicy, check_target, refusal_reason
from services.notifications.domain.errors import WebhookTargetRefused

STRICT = TargetPolicy()


def fake_resolver(mapping):
    async def resolve(host, port):
        if host not in mapping:
            raise OSError("NXDOMAIN")
        return mapping[host]

    return resolve


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/hook", "loopback"),
        ("http://10.1.2.3/hook", "private"),
        ("http://172.16.0.5/hook", "private"),
        ("http://192.168.1.1/hook", "private"),
        ("http://169.254.169.254/latest/meta-data", "link_local"),
        ("http://[::1]/hook", "loopback"),
        ("http://[fe80::1]/hook", "link_local"),
        ("http://[::ffff:127.0.0.1]/hook", "loopback"),
        ("http://0.0.0.0/hook", "unspecified"),
        ("http://224.0.0.1/hook", "multicast"),
        ("http://240.0.0.1/hook", "reserved"),
        ("http://100.64.0.1/hook", "shared"),
        ("http://[fc00::1]/hook", "private"),
    ],
)
async def test_refuses_non_public_addresses(url, reason):
    """Loopback, private, link-local and other non-public addresses are refused."""
    with pytest.raises(WebhookTargetRefused) as err:
        await check_target(url, STRICT)
    assert err.value.code == "webhooks_target_refused"
    assert err.value.details["reason"] == reason


async def test_refuses_hostnames_that_resolve_to_loopback():
    # the real system resolver: localhost is loopback everywhere
    """A host name that resolves to loopback is refused."""
    with pytest.raises(WebhookTargetRefused) as err:
        await check_target("http://localhost:8080/hook", STRICT)
    assert err.value.details["reason"] == "loopback"


async def test_refuses_when_any_resolved_address_is_private():
    """A host is refused when any one of its addresses is private."""
    resolver = fake_resolver({"mixed.example": ["93.184.216.34", "10.0.0.7"]})
    with pytest.raises(WebhookTargetRefused) as err:
        await check_target("https://mixed.example/hook", STRICT, resolver)
    assert err.value.details["address"] == "10.0.0.7"


async def test_accepts_public_targets():
    """Public targets are accepted."""
    resolver = fake_resolver({"partner.example": ["93.184.216.34", "2606:2800:220:1::1"]})
    assert await check_target("https://partner.example/hook", STRICT, resolver) == [
        "93.184.216.34",
        "2606:2800:220:1::1",
    ]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://partner.example/x", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("gopher://partner.example/", "scheme"),
        ("http:///nohost", "no_host"),
        ("http://partner.example:99999/", "bad_port"),
        ("https://nxdomain.example/", "unresolvable"),
    ],
)
async def test_refuses_bad_urls(url, reason):
    """URLs without a usable scheme or host are refused."""
    with pytest.raises(WebhookTargetRefused) as err:
        await check_target(url, STRICT, fake_resolver({"partner.example": ["93.184.216.34"]}))
    assert err.value.details["reason"] == reason


async def test_https_can_be_required():
    """https can be required."""
    policy = TargetPolicy(require_https=True)
    resolver = fake_resolver({"partner.example": ["93.184.216.34"]})
    with pytest.raises(WebhookTargetRefused) as err:
        await check_target("http://partner.example/", policy, resolver)
    assert err.value.details["reason"] == "https_required"


async def test_private_targets_allowed_by_setting():
    """Private targets are allowed only when the setting says so."""
    policy = TargetPolicy(allow_private=True)
    assert await check_target("http://127.0.0.1:9/hook", policy) == ["127.0.0.1"]
    assert await check_target("http://localhost:9/hook", policy)


def test_public_address_has_no_refusal_reason():
    """A public address has no refusal reason."""
    assert refusal_reason(ipaddress.ip_address("8.8.8.8")) is None
