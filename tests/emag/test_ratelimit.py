"""The sliding-window limiter and the retry schedule, on a fake clock."""

from __future__ import annotations

import random

import pytest

from bot.emag.ratelimit import OFFERS_LIMITS, SlidingWindowLimiter, Window
from bot.emag.retry import RetryPolicy


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def limiter(clock: FakeClock, windows=OFFERS_LIMITS, margin: float = 0.0) -> SlidingWindowLimiter:
    return SlidingWindowLimiter(windows, margin=margin, clock=clock, sleep=clock.sleep)


def test_three_calls_in_a_second_pass_and_the_fourth_waits_only_until_the_first_expires():
    clock = FakeClock()
    limit = limiter(clock)
    for _ in range(3):
        assert limit.acquire() == 0
        limit.answered()
        clock.now += 0.1
    assert limit.acquire() == pytest.approx(0.7)  # the first call leaves the window at t0+1
    assert clock.now == pytest.approx(1001.0)


def test_a_wait_is_told_before_the_sleep_and_its_end_after_it():
    clock = FakeClock()
    limit = limiter(clock, windows=(Window(2, 60.0),))
    heard: list[tuple[float, float]] = []
    for _ in range(2):
        limit.acquire(lambda seconds: heard.append((seconds, clock.now)))
    assert heard == []  # within the budget: nothing to tell
    limit.acquire(lambda seconds: heard.append((seconds, clock.now)))
    assert heard == [(pytest.approx(60.0), 1000.0), (0.0, pytest.approx(1060.0))]


def test_margin_widens_the_window():
    clock = FakeClock()
    limit = limiter(clock, margin=0.1)
    for _ in range(3):
        limit.acquire()
    assert limit.acquire() == pytest.approx(1.1)


def test_the_longer_window_holds_even_when_every_second_is_within_budget():
    clock = FakeClock()
    limit = limiter(clock, windows=(Window(3, 1.0), Window(5, 10.0)))
    for _ in range(5):
        limit.acquire()  # three at t0, two at t0+1
    assert clock.now == pytest.approx(1001.0)
    assert limit.acquire() == pytest.approx(9.0)  # until the first call is 10 s old
    assert clock.now == pytest.approx(1010.0)


def test_waits_add_up_to_the_budget_and_no_more():
    clock = FakeClock()
    limit = limiter(clock, windows=(Window(3, 1.0),))
    for _ in range(9):
        limit.acquire()
    assert clock.now == pytest.approx(1002.0)  # 3 per second: calls at 0, 1 and 2 seconds
    assert sum(clock.slept) == pytest.approx(2.0)


def test_retry_delays_grow_with_jitter_and_stay_under_the_cap():
    policy = RetryPolicy(attempts=6, base=0.5, cap=4.0, rng=random.Random(1))
    for attempt, ceiling in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 4.0)]:
        delays = {policy.delay(attempt) for _ in range(20)}
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert len(delays) > 1  # jittered


def test_a_429_waits_at_least_for_the_one_second_window_to_move():
    policy = RetryPolicy(base=0.02, cap=0.2, rng=random.Random(1))
    assert policy.delay(1) < 0.05
    assert policy.delay(1, throttled=True) == 1.0


def test_retry_statuses_are_429_and_5xx_only():
    policy = RetryPolicy()
    assert all(policy.should_retry_status(s) for s in (429, 500, 502, 503, 504))
    assert not any(policy.should_retry_status(s) for s in (200, 204, 400, 403, 404))
    with pytest.raises(ValueError):
        RetryPolicy(attempts=0)


def test_a_call_is_counted_from_its_answer_as_eMAG_counted_it_before() -> None:
    clock = FakeClock()
    limit = limiter(clock)
    for _ in range(3):
        limit.acquire()
        clock.now += 0.3  # each call takes 0.3 s to answer before the next one starts
        limit.answered()
    # eMAG counted the first call somewhere between t0 and its answer at t0 + 0.3: only
    # from t0 + 1.3 is the fourth sure to reach it a second later.
    assert limit.acquire() == pytest.approx(0.4)
    assert clock.now == pytest.approx(1001.3)


def test_a_call_not_said_answered_is_over_at_its_threads_next_call() -> None:
    clock = FakeClock()
    limit = limiter(clock)
    for _ in range(3):
        limit.acquire()
        clock.now += 0.2
    # The first call ended when the second started (t0 + 0.2).
    assert limit.acquire() == pytest.approx(0.6)


def test_a_call_still_under_way_on_another_thread_holds_its_window_until_answered() -> None:
    import threading

    clock = FakeClock()
    limit = limiter(clock)
    under_way, answer = threading.Event(), threading.Event()

    def slow_call() -> None:
        limit.acquire()
        under_way.set()
        answer.wait()
        limit.answered()

    other = threading.Thread(target=slow_call)
    other.start()
    under_way.wait()
    limit.acquire()
    limit.acquire()
    clock.now += 2.0
    assert limit.delay() == pytest.approx(1.0)  # it may reach eMAG this very moment
    answer.set()
    other.join()
    clock.now += 0.5
    assert limit.delay() == pytest.approx(0.5)  # counted from its answer, 0.5 s ago


def test_a_call_held_back_by_its_connection_is_counted_from_when_it_left() -> None:
    clock = FakeClock()
    limit = limiter(clock)
    limit.acquire()
    clock.now += 0.4  # a new connection's setup: the request leaves 0.4 s after
    limit.sending()
    assert limit.delay() == 0
    limit.acquire()
    limit.acquire()
    assert limit.acquire() == pytest.approx(1.0)  # until 1 s after the first one left


def test_callers_of_one_limiter_on_many_threads_never_start_closer_than_the_window() -> None:
    import threading
    import time

    limit = SlidingWindowLimiter([Window(2, 0.2)], margin=0.0)
    starts: list[float] = []
    lock = threading.Lock()

    def call() -> None:
        for _ in range(3):
            limit.acquire()
            with lock:
                starts.append(time.monotonic())
            limit.answered()

    threads = [threading.Thread(target=call) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    starts.sort()
    assert len(starts) == 9
    # Any two calls two apart in time are at least one window apart.
    assert all(
        later - earlier >= 0.2 - 1e-3 for earlier, later in zip(starts, starts[2:], strict=False)
    )
