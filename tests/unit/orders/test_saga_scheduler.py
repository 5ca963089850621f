"""Tracking polls back off while a parcel's status stays the same, and restart when it moves."""

from services.orders.saga_scheduler import SagaScheduler


def test_tracking_poll_interval_doubles_to_the_cap_and_resets_on_a_new_status():
    scheduler = SagaScheduler(runner=None, workers=1, sweep_interval=1.0,  # type: ignore[arg-type]
                              tracking_interval=2.0, max_tracking_interval=10.0)  # fmt: skip
    waits = [scheduler._poll_interval("o1", "confirmed") for _ in range(5)]
    assert waits == [2.0, 4.0, 8.0, 10.0, 10.0]
    assert scheduler._poll_interval("o1", "shipped") == 2.0  # it moved: look again soon
    assert scheduler._poll_interval("o2", "confirmed") == 2.0  # orders back off independently
