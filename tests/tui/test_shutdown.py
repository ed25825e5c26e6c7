"""The real app in a pseudo-terminal: SIGTERM and SIGHUP stop the run, restore the terminal
(alternate screen off, cursor shown) and end the process at once."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import subprocess
import sys
import time

import pytest

F5 = b"\x1b[15~"
LEAVE_ALT_SCREEN, SHOW_CURSOR = b"\x1b[?1049l", b"\x1b[?25h"
APP = ("import sys; from tui.app import main; from engine import presets; "
       "sys.exit(main(config=presets.get('caesar').replace(steps=1_000_000, device='cpu'), threads=1))")


def read_until(fd: int, predicate, timeout: float) -> bytes:
    out, deadline = b"", time.monotonic() + timeout
    while not predicate(out) and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
    return out


def drain(fd: int, process: subprocess.Popen, timeout: float) -> tuple[bytes, float]:
    """Everything the app writes until it exits, and the time its exit was seen."""
    out, deadline = b"", time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        out += read_until(fd, lambda _: True, 0.05)
    ended = time.monotonic()
    return out + read_until(fd, lambda _: False, 0.5), ended


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGHUP])
def test_a_signal_stops_the_run_and_restores_the_terminal(number):
    main, child = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "80", "LINES": "24", "OMP_NUM_THREADS": "1"}
    process = subprocess.Popen([sys.executable, "-c", APP], stdin=child, stdout=child, stderr=child,
                               env=env, start_new_session=True)
    os.close(child)
    try:
        screen = read_until(main, lambda out: b"Setup" in out and b"Start" in out, 30)
        assert b"\x1b[?1049h" in screen  # the app took the alternate screen
        os.write(main, F5)
        read_until(main, lambda out: b"running" in out, 60)  # torch loaded, the run is going
        os.kill(process.pid, number)
        sent = time.monotonic()
        tail, ended = drain(main, process, 10)
        assert process.wait(5) == 128 + number
        assert ended - sent < 3.0
        assert LEAVE_ALT_SCREEN in tail and SHOW_CURSOR in tail
        assert tail.rfind(LEAVE_ALT_SCREEN) > tail.rfind(b"\x1b[?1049h")  # left it last
        assert b"\x1b[?1000l" in tail or b"\x1b[?1003l" in tail  # mouse reporting off
        assert b"Traceback" not in tail
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)


def test_quitting_during_a_run_asks_then_ends_the_process_at_once():
    main, child = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "OMP_NUM_THREADS": "1"}
    process = subprocess.Popen([sys.executable, "-c", APP], stdin=child, stdout=child, stderr=child,
                               env=env, start_new_session=True)
    os.close(child)
    try:
        read_until(main, lambda out: b"Setup" in out and b"Start" in out, 30)
        os.write(main, F5)
        read_until(main, lambda out: re.search(rb"step [1-9]", out), 60)  # steps were trained
        os.write(main, b"\x11")  # ctrl+q
        assert b"not saved" in read_until(main, lambda out: b"not saved" in out, 10)
        os.write(main, b"d")  # discard
        sent = time.monotonic()
        tail, ended = drain(main, process, 10)
        assert process.wait(5) == 0 and ended - sent < 3.0
        assert LEAVE_ALT_SCREEN in tail and SHOW_CURSOR in tail
    finally:
        if process.poll() is None:
            process.kill()
        os.close(main)
