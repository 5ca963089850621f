"""Errors of the notifications domain, each with a stable code clients can switch on."""

from __future__ import annotations

from shared.errors import DomainError, ErrorKind


class NotificationError(DomainError):
    code = "notifications_error"
    kind = ErrorKind.INVALID


class InvalidContact(NotificationError):
    """An email, phone number, push token, locale or time zone that cannot be used."""

    code = "notifications_invalid_contact"


class InvalidPreferences(NotificationError):
    """Preferences that break a rule (e.g. every channel of transactional mail switched off)."""

    code = "notifications_invalid_preferences"


class TransactionalChannelRequired(InvalidPreferences):
    """Transactional messages must keep email or the in-app inbox switched on."""

    code = "notifications_transactional_channel_required"


class InvalidQuietHours(InvalidPreferences):
    code = "notifications_invalid_quiet_hours"


class UnknownMessageKind(NotificationError):
    code = "notifications_unknown_message_kind"
    kind = ErrorKind.NOT_FOUND


class UnsupportedLocale(NotificationError):
    code = "notifications_unsupported_locale"


class InvalidWebhookEndpoint(NotificationError):
    """A webhook URL or event-type filter that cannot be registered."""

    code = "webhooks_invalid_endpoint"


class WebhookTargetRefused(NotificationError):
    """The target resolves to an address we refuse to call (SSRF protection)."""

    code = "webhooks_target_refused"
    kind = ErrorKind.FORBIDDEN


class WebhookSecretError(NotificationError):
    code = "webhooks_invalid_secret"


class InvalidWebhookUrl(InvalidWebhookEndpoint):
    """A URL with control characters or white space: no HTTP client can send to it."""

    code = "webhooks_url_invalid"


class WebhookHttpsRequired(InvalidWebhookEndpoint):
    """Outside local mode, webhook targets must use https."""

    code = "webhooks_https_required"


class UnknownWebhookEventType(InvalidWebhookEndpoint):
    """An event-type filter that selects no event type of the registry."""

    code = "webhooks_unknown_event_type"


class WebhookEndpointLimit(NotificationError):
    """The partner already has the maximum number of endpoints (documented in operations.md)."""

    code = "webhooks_endpoint_limit_reached"
    kind = ErrorKind.CONFLICT


class WebhookReplayNeedsTarget(NotificationError):
    """A replay that names neither a delivery nor a time range."""

    code = "webhooks_replay_needs_target"


class RenderError(NotificationError):
    """A template could not be rendered (missing data or a broken template)."""

    code = "notifications_render_failed"


class SecretUnreadable(DomainError):
    """A stored signing secret cannot be opened with any configured key."""

    code = "notifications_webhook_secret_unreadable"
    kind = ErrorKind.UNAVAILABLE
