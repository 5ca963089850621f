"""An endpoint's listing shows, while a rotated-out secret still signs, until when it does
(the contract's `secret_rotation_until`: "while set, an older secret also signs")."""

from datetime import UTC, datetime, timedelta

from services.notifications.domain.webhook_deliveries import EndpointListing
from services.notifications.domain.webhooks import EndpointSecret, WebhookEndpoint

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _listing(*secrets: EndpointSecret) -> EndpointListing:
    endpoint = WebhookEndpoint(
        id="we_1",
        owner="partner-1",
        url="https://partner.example/hooks",
        event_types=("warranty.claim.*",),
        secrets=secrets,
    )
    return EndpointListing(endpoint, "claims feed", created_at=NOW - 10 * HOUR)


def test_a_single_secret_has_no_rotation_window():
    listing = _listing(EndpointSecret("whsec_AAAA", NOW - HOUR)).at(NOW)
    assert listing.rotation_until is None
    assert listing.description == "claims feed"
    assert listing.created_at == NOW - 10 * HOUR


def test_the_rotated_out_secret_signs_until_its_end_and_the_listing_says_so():
    endpoint = _listing(EndpointSecret("whsec_AAAA", NOW - HOUR)).endpoint
    rotated = endpoint.rotate("whsec_BBBB", NOW, overlap=24 * HOUR)
    listing = EndpointListing(rotated, "claims feed", created_at=NOW - 10 * HOUR)
    end = NOW + 24 * HOUR
    assert listing.at(NOW).rotation_until == end
    assert listing.at(end - timedelta(seconds=1)).rotation_until == end
    # at its end the old secret stops signing, and the listing stops showing a window
    assert listing.at(end).rotation_until is None
    assert listing.at(end + HOUR).rotation_until is None


def test_a_stale_window_set_on_the_listing_is_replaced_by_what_holds_at_now():
    listing = _listing(EndpointSecret("whsec_AAAA", NOW - HOUR))
    stale = EndpointListing(listing.endpoint, "claims feed", NOW, rotation_until=NOW + HOUR)
    assert stale.at(NOW).rotation_until is None


def test_of_two_rotated_out_secrets_still_signing_the_later_end_is_shown():
    listing = _listing(
        EndpointSecret("whsec_AAAA", NOW - 3 * HOUR, expires_at=NOW + HOUR),
        EndpointSecret("whsec_BBBB", NOW - 2 * HOUR, expires_at=NOW + 5 * HOUR),
        EndpointSecret("whsec_CCCC", NOW - HOUR, expires_at=NOW + 3 * HOUR),
        EndpointSecret("whsec_DDDD", NOW - HOUR),
    )
    assert listing.at(NOW).rotation_until == NOW + 5 * HOUR
    # one past its end is left out; the window is the later end of those still signing
    ended = _listing(
        EndpointSecret("whsec_AAAA", NOW - 3 * HOUR, expires_at=NOW - HOUR),
        EndpointSecret("whsec_BBBB", NOW - 2 * HOUR, expires_at=NOW + 2 * HOUR),
        EndpointSecret("whsec_DDDD", NOW - HOUR),
    )
    assert ended.at(NOW - 2 * HOUR).rotation_until == NOW + 2 * HOUR
    assert ended.at(NOW).rotation_until == NOW + 2 * HOUR
