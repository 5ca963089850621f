"""What registering a webhook endpoint refuses before anything is stored (docs/operations.md,
"Webhook endpoints: limits"): a URL with control characters or white space (422
`webhooks_url_invalid`), an `http` target where https is required (`webhooks_https_required`;
`http` is accepted in local runs), and an event-type filter that selects no event type of the
registry (`webhooks_unknown_event_type`, naming the filter)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.notifications.domain.webhooks import (
    EndpointSecret,
    WebhookEndpoint,
    check_registration,
)
from shared.errors import DomainError

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
KNOWN = ("warranty.claim.approved", "warranty.claim.rejected", "orders.return.refunded")


def refusal(url: str, types: list[str], require_https: bool = True) -> DomainError:
    with pytest.raises(DomainError) as caught:
        check_registration(url, types, require_https=require_https, known_types=KNOWN)
    return caught.value


@pytest.mark.parametrize(
    "types", [["warranty.claim.approved"], ["warranty.claim.*"], ["*"],
              ["orders.return.refunded", "warranty.claim.rejected"]],
)  # fmt: skip
def test_an_https_target_with_known_filters_is_accepted(types):
    assert check_registration("https://p.example/hooks", types, require_https=True,
                              known_types=KNOWN) is None  # fmt: skip


def test_http_is_accepted_in_local_runs_only():
    check_registration("http://localhost:9000/h", ["*"], require_https=False, known_types=KNOWN)
    error = refusal("http://p.example/hooks", ["*"])
    assert (error.code, error.kind) == ("webhooks_https_required", "invalid")


@pytest.mark.parametrize("url", ["https://p.example/ho oks", "https://p.example/\nhooks",
                                 "https://p.example/hooks\t", "http://p.example/\x00"])  # fmt: skip
def test_a_url_with_white_space_or_control_characters_is_refused_first(url):
    # refused whatever the scheme rule says: no HTTP client can send to it
    for require_https in (True, False):
        error = refusal(url, ["*"], require_https)
        assert (error.code, error.kind) == ("webhooks_url_invalid", "invalid")
        assert set(error.details) == {"url"}


@pytest.mark.parametrize("bad", ["warranty.claim.aproved", "warranty.claims.*", "orders.order.*"])
def test_a_filter_that_selects_nothing_is_refused_by_name(bad):
    error = refusal("https://p.example/hooks", ["warranty.claim.approved", bad])
    assert (error.code, error.kind) == ("webhooks_unknown_event_type", "invalid")
    assert error.details == {"event_type": bad}


@pytest.mark.parametrize("url", ["http://localhost:9000/hooks", "https://p.example/hooks"])
def test_an_endpoint_may_target_http_or_https(url):
    # http only where the registration allows it (local runs), checked above
    endpoint = WebhookEndpoint(id="we_1", owner="p1", url=url, event_types=("*",),
                               secrets=(EndpointSecret("whsec_AAAA", NOW),))  # fmt: skip
    assert endpoint.url == url


@pytest.mark.parametrize("url", ["ftp://p.example/hooks", "p.example/hooks", "https:///hooks"])
def test_an_endpoint_needs_an_absolute_http_url(url):
    with pytest.raises(DomainError) as caught:
        WebhookEndpoint(id="we_1", owner="p1", url=url, event_types=("*",),
                        secrets=(EndpointSecret("whsec_AAAA", NOW),))  # fmt: skip
    assert caught.value.code == "webhooks_invalid_endpoint"


def endpoint_refusal(url: str = "https://p.example/hooks", types: tuple[str, ...] = ("*",)):  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as caught:
        WebhookEndpoint(id="we_1", owner="p1", url=url, event_types=types,
                        secrets=(EndpointSecret("whsec_AAAA", NOW),))  # fmt: skip
    return caught.value


def test_a_refused_url_is_named_in_the_refusal():
    error = endpoint_refusal("ftp://p.example/hooks")
    assert error.details == {"url": "ftp://p.example/hooks"}
    assert "p.example" in refusal("https://p.example/ho oks", ["*"]).details["url"]


@pytest.mark.parametrize("url", ["https://user@p.example/hooks", "https://:pw@p.example/hooks",
                                 "https://user:pw@p.example/hooks"])  # fmt: skip
def test_an_endpoint_url_carries_no_credentials(url):
    assert endpoint_refusal(url).code == "webhooks_invalid_endpoint"


@pytest.mark.parametrize(
    "bad", ["", "warranty.claim approved", "warranty.claim*", "warranty.*.*", "warranty*.*",
            "*.*", "warranty.*.approved"],
)  # fmt: skip
def test_a_filter_is_an_event_type_or_a_prefix_wildcard(bad):
    error = endpoint_refusal(types=("warranty.claim.approved", bad))
    assert (error.code, error.details) == ("webhooks_invalid_endpoint", {"event_type": bad})
