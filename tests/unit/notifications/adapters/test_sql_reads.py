"""The reads the consumer makes for every event: one statement each, the same answers."""

from datetime import UTC, datetime, time

from services.notifications.adapters.unit_of_work import NotificationsWork, sql_unit_of_work
from services.notifications.domain.channels import Category, Channel
from services.notifications.domain.preferences import Contact, Preferences, QuietHours
from services.notifications.domain.webhooks import EndpointSecret, WebhookEndpoint
from services.notifications.settings import Settings
from shared.messaging.outbox import UnitOfWork
from shared.messaging.unit_of_work import SqlUnitOfWork

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


def _work(uow: UnitOfWork) -> SqlUnitOfWork[NotificationsWork]:
    return sql_unit_of_work(uow, Settings().secret_box)


async def test_contact_and_preferences_read_together_whichever_exist(uow: UnitOfWork) -> None:
    work = _work(uow)
    prefs = Preferences(
        "c-both",
        opt_ins={Category.TRANSACTIONAL: frozenset({Channel.EMAIL, Channel.IN_APP, Channel.SMS})},
        kind_overrides={"order_shipped": frozenset({Channel.IN_APP, Channel.SMS})},
        quiet_hours=QuietHours(time(22, 0), time(7, 30)),
    )
    both = Contact("c-both", name="Ann", email="ann@example.com", push_tokens=("t1",))
    async with work() as w:
        await w.contacts.save(both, NOW)
        await w.preferences.save(prefs, NOW)
        await w.contacts.save(Contact("c-contact", email="c@example.com", locale="en-GB"), NOW)
        await w.preferences.save(Preferences("c-prefs", quiet_hours=prefs.quiet_hours), NOW)
    async with work.read() as w:
        for customer in ("c-both", "c-contact", "c-prefs", "c-none"):
            expected = (await w.contacts.get(customer), await w.preferences.get(customer))
            assert await w.contacts.with_preferences(customer) == expected
        assert await w.contacts.with_preferences("c-both") == (both, prefs)
        assert await w.contacts.with_preferences("c-none") == (None, Preferences("c-none"))


async def test_subscriptions_are_read_again_after_an_endpoint_changes(uow: UnitOfWork) -> None:
    work = _work(uow)
    secret = (EndpointSecret("whsec_" + "x" * 32, NOW),)
    endpoint = WebhookEndpoint("we_1", "p1", "https://p.example/h", ("orders.*",), secret)
    async with work() as w:
        assert await w.endpoints.subscriptions() == []
        await w.endpoints.add(endpoint, "", NOW)
        assert await w.endpoints.subscriptions() == [("we_1", ["orders.*"])]
        await w.endpoints.disable("we_1", NOW, "gone")
        assert await w.endpoints.subscriptions() == []
    async with work() as w:  # a new transaction reads them afresh
        assert await w.endpoints.subscriptions() == []
