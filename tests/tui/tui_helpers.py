"""Helpers for the TUI tests: a fixed device list (no probing) and polling with a deadline."""

from __future__ import annotations

import time

DEVICES = [("cpu", "CPU (2 threads)")]


async def wait_for(pilot, predicate, timeout: float = 30.0, step: float = 0.05) -> None:
    """Let the app run until predicate() is true; fail with a clear message after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {predicate.__doc__ or predicate}")
        await pilot.pause(step)


async def set_field(pilot, app, name: str, value: str) -> None:
    app.query_one("SetupPane").set_value(name, value)
    await pilot.pause()  # Input.Changed -> the pane validates and posts ConfigChanged
    await pilot.pause()  # -> the app updates its controls
