"""Leaving the app: on SIGTERM or SIGHUP stop the run and exit through Textual (which restores the
terminal: alternate screen off, mouse reporting off, cursor shown), and never linger afterwards.

Killing the app used to leave the terminal in the alternate screen with the cursor hidden, and
quitting left the process alive for up to a minute while threads finished a step, a corpus or
a queue of predictions. After the terminal is restored, threads still busy get a short grace
period; then the process ends at once (os._exit): their work is abandoned anyway, and tearing
down an interpreter that loaded torch took another 3-4 s on a busy 2-core machine.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from typing import Any

from tui import threads

SIGNALS = (signal.SIGTERM, signal.SIGHUP)


def on_signals(app: Any) -> None:
    """Make SIGTERM and SIGHUP stop the run and quit cleanly (a real terminal only, not in tests)."""
    if app.is_headless:
        return
    loop = asyncio.get_running_loop()
    for number in SIGNALS:
        loop.add_signal_handler(number, _quit_on_signal, app, number)


def _quit_on_signal(app: Any, number: int) -> None:
    app.session.exit_status = 128 + number  # the shell's convention for "ended by this signal"
    app.session.quit_now()


def finish(status: int) -> int:
    """Called after app.run() returned (the terminal is restored): end the process now if threads
    linger or torch was loaded; otherwise return `status` for a normal exit."""
    ended = threads.join_all(threads.ours())
    if ended and "torch" not in sys.modules:
        return status
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(status)
