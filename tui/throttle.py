"""Throttle: run a callback at most once per interval, soon after it is requested.

Nothing runs while nothing changes (no polling timers), and bursts of changes cost one call.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from textual.timer import Timer


class Throttle:
    def __init__(self, node, interval: float, callback: Callable[[], object]) -> None:
        self.node, self.interval, self.callback = node, interval, callback
        self.timer: Timer | None = None
        self.last = 0.0

    def request(self) -> None:
        """Schedule the callback (now, or when the interval since the last call has passed)."""
        if self.timer is None:
            delay = max(0.001, self.last + self.interval - time.monotonic())  # Timer rejects 0
            self.timer = self.node.set_timer(delay, self._fire)

    def _fire(self) -> None:
        self.timer = None
        self.last = time.monotonic()
        self.callback()
