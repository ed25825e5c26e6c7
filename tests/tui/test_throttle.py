"""Throttle: a burst of requests costs one call, and calls are at least an interval apart."""

from __future__ import annotations

from tui.throttle import Throttle


class Node:
    """Stands in for a Textual node: set_timer records the timer; the test fires it."""

    def __init__(self) -> None:
        self.timers: list[tuple[float, object]] = []

    def set_timer(self, delay, callback):
        self.timers.append((delay, callback))
        return object()


def test_a_burst_of_requests_is_one_call_and_the_next_waits_for_the_interval():
    node, calls = Node(), []
    throttle = Throttle(node, 10.0, lambda: calls.append(1))
    for _ in range(5):
        throttle.request()
    assert len(node.timers) == 1 and node.timers[0][0] <= 0.001 + 1e-9  # the first call comes at once
    node.timers.pop()[1]()
    assert calls == [1] and throttle.timer is None
    throttle.request()
    throttle.request()
    delay, fire = node.timers.pop()
    assert 9.0 < delay <= 10.0 and not node.timers  # spaced an interval after the last call
    fire()
    assert calls == [1, 1]
