"""The idle check: every stack process below the threshold for long enough, in a row."""

from __future__ import annotations

from bench.quiet import IdleCheck, IdleWatch, machine_quiet


def test_idle_only_after_the_required_quiet_time() -> None:
    watch = IdleWatch(threshold=0.05, needed_s=1.5)
    quiet = {"gateway": 0.01, "orders": 0.02}
    assert [watch.add(quiet, 0.5) for _ in range(3)] == [False, False, True]


def test_one_busy_process_restarts_the_quiet_time() -> None:
    watch = IdleWatch(threshold=0.05, needed_s=1.0)
    assert not watch.add({"gateway": 0.0, "orders": 0.0}, 0.5)
    assert not watch.add({"gateway": 0.0, "orders": 0.30}, 0.5)  # a saga sweep
    assert not watch.add({"gateway": 0.0, "orders": 0.0}, 0.5)
    assert watch.add({"gateway": 0.0, "orders": 0.0}, 0.5)


def test_the_busiest_process_is_named() -> None:
    watch = IdleWatch()
    watch.add({"gateway": 0.01, "notifications": 0.4}, 0.5)
    assert watch.busiest == ("notifications", 0.4)


def test_a_machine_is_quiet_only_when_other_processes_leave_it_alone() -> None:
    assert machine_quiet(0.1)
    assert not machine_quiet(1.3)


def test_the_description_says_when_the_stack_or_the_machine_was_busy() -> None:
    busy = IdleCheck(False, 60.0, "orders", 0.4, 1.5, (6.0, 5.0, 4.0))
    assert "NOT idle" in busy.describe() and "orders" in busy.describe()
    assert "MACHINE BUSY" in busy.describe()
    quiet = IdleCheck(True, 3.5, "gateway", 0.01, 0.05)
    assert quiet.describe().startswith("stack idle") and "machine quiet" in quiet.describe()


def test_the_idle_stack_s_own_use_is_averaged_over_the_quiet_streak_only() -> None:
    watch = IdleWatch(threshold=0.05, needed_s=1.0)
    watch.add({"gateway": 0.5, "orders": 0.0}, 0.5)  # busy: not part of the idle figure
    watch.add({"gateway": 0.01, "orders": 0.03}, 0.5)
    watch.add({"gateway": 0.03, "orders": 0.01}, 0.5)
    assert abs(watch.idle_cores - 0.04) < 1e-9
