"""Background threads of the app: daemon threads, never the event loop's shared executor.

Textual's thread workers share asyncio's default executor. Its threads are joined when the loop
closes, so a long training step, a big corpus being read or a queue of Play predictions kept the
process alive for a minute after quitting, and queued predictions delayed starting and saving.
Every long job here gets its own daemon thread instead; quitting waits for them only briefly.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

QUIT_GRACE_SECONDS = 1.5  # how long quitting waits for threads to notice they were cancelled


def start(name: str, target: Callable[..., Any], *args: Any) -> threading.Thread:
    """Run `target(*args)` in a new daemon thread named `rnnplay-<name>`."""
    thread = threading.Thread(target=target, args=args, name=f"rnnplay-{name}", daemon=True)
    thread.start()
    return thread


def ours() -> list[threading.Thread]:
    """The app's threads still running."""
    return [t for t in threading.enumerate() if t.name.startswith("rnnplay-") and t.is_alive()]


def join_all(threads: Iterable[threading.Thread], timeout: float = QUIT_GRACE_SECONDS) -> bool:
    """Wait up to `timeout` seconds in all for `threads` to end; True if they all did."""
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return not any(thread.is_alive() for thread in threads)
