"""Helpers for the TUI tests: a fixed device list (no probing), polling with a deadline, and what the
terminal would receive from the screen."""

from __future__ import annotations

import re
import time

from textual import events

DEVICES = [("cpu", "CPU (2 threads)")]
SIZES = [(80, 24), (120, 40)]  # the smallest terminal the app supports, and a common one
SGR = re.compile(r"\x1b\[[0-9;]*m")  # colours and attributes: the only sequences the app itself draws with
ATTACKS = ("\x1b]0;pwned", "\x1b[2J", "\x07", "\r", "\u202e", "\ufeff")


async def wait_for(pilot, predicate, timeout: float = 30.0, step: float = 0.05) -> None:
    """Let the app run until predicate() is true; fail with a clear message after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {predicate.__doc__ or predicate}")
        await pilot.pause(step)


def wait_until(predicate, timeout: float = 30.0, step: float = 0.01) -> None:
    """wait_for without an app: poll predicate() (a thread's state) until true; fail after `timeout` s."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {predicate.__doc__ or predicate}")
        time.sleep(step)


def toasts_shown(app) -> bool:
    """Every notification has its toast on the screen, laid out (a toast is mounted a few messages after
    notify(); a screenshot or a region check taken before that misses it)."""
    toasts = [toast for toast in app.screen.query("Toast") if toast.region.area]
    return len(toasts) >= len(app._notifications)


def redrawn(app) -> bool:
    """No throttled redraw is pending and the shown view's plot is not behind its data."""
    if app.views_throttle.timer is not None:
        return False
    view, widget = app.shown_view()
    return view.plot is None or not view.stale(app, widget)


async def settled(pilot, timeout: float = 60.0) -> None:
    """Wait until what a screenshot shows has settled: toasts shown, redraws done, plots drawn."""
    app = pilot.app
    await wait_for(pilot, lambda: toasts_shown(app) and redrawn(app), timeout)
    await pilot.pause()  # the last layout and refresh


async def set_field(pilot, app, name: str, value: str) -> None:
    app.query_one("SetupPane").set_value(name, value)
    await pilot.pause()  # Input.Changed -> the pane validates and posts ConfigChanged
    await pilot.pause()  # -> the app updates its controls


def screen_rows(app) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def assert_screen_is_clean(app, width: int) -> None:
    """What the terminal would receive: every row one printable line, no sequence but SGR."""
    strips = app.screen._compositor.render_strips()
    for strip in strips:
        assert strip.text.isprintable(), repr(strip.text)
        assert strip.cell_length == width
        raw = SGR.sub("", strip.render(app.console))
        assert "\x1b" not in raw and not any(attack in raw for attack in ATTACKS), repr(raw)
    rows = [strip.text for strip in strips]
    assert "RNN Playground" in rows[0] and "Setup F1" in rows[1]  # the header and the tabs stay put


def type_ahead(app, keys: list[str]) -> None:
    """Queue keys as a terminal delivers them: all at once, none waiting for the one before."""
    for key in keys:
        char = key if len(key) == 1 else None
        app.post_message(events.Key(key, char))


def notices(app) -> list[str]:
    """The toasts the app has shown (they last until the test ends: tests/tui/conftest.py)."""
    return [str(n.message) for n in app._notifications]


async def race_from_dialog(pilot) -> None:
    """ctrl+r, then Enter on the dialog's focused Race button, as a person does."""
    await pilot.press("ctrl+r")
    from tui.widgets.race_dialog import RaceDialog

    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RaceDialog))
    await pilot.pause()
    await pilot.press("enter")
    await wait_for(pilot, lambda: pilot.app.session.runs.race is not None)
