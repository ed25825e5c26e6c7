"""How `rnnplay train` stops early without losing work: signals and a closed stdout end the run after
its current step, the model is saved, and the exit status says why.

Exit statuses follow the shell's 128 + signal number: 130 for Ctrl-C (SIGINT), 143 for SIGTERM,
129 for SIGHUP, and 141 (SIGPIPE's) when the reader of stdout went away (`rnnplay ... | head`).
"""

from __future__ import annotations

import errno
import os
import signal
import sys
import threading

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name))
PIPE_CLOSED = 128 + 13  # what a shell reports for a writer ended by SIGPIPE


class StopOnSignals:
    """Sets a Trainer's `stop` on Ctrl-C, SIGTERM and SIGHUP (or a closed stdout) and remembers the exit status.

    The run then ends after its current step, as it does for any set `stop`; restore() puts back the
    previous handlers once the run is over.
    """

    def __init__(self, stop: threading.Event) -> None:
        self.stop, self.status = stop, 0
        self.previous = {signum: signal.signal(signum, self._on_signal) for signum in STOP_SIGNALS}

    def request(self, status: int) -> None:
        if not self.stop.is_set():
            self.status = status
            self.stop.set()

    def restore(self) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)

    def _on_signal(self, signum, frame) -> None:
        self.request(128 + signum)


def warn(text: str) -> None:
    """One warning line on stderr, if stderr can take it."""
    try:
        print(f"rnnplay: warning: {text}", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def silence_stdout() -> None:
    """Point stdout at /dev/null once its reader is gone, so later prints and the exit flush stay quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):  # no real stdout (a captured one in tests): nothing to redirect
        pass


class QuietOutput:
    """Wraps the Reporter: when stdout's reader or terminal goes away the run stops (and saves) instead of
    crashing; when stdout cannot take more (a full disk) training goes on without progress lines."""

    def __init__(self, reporter, stop: StopOnSignals) -> None:
        self.reporter, self.stop, self.closed = reporter, stop, False

    def _guard(self, method, *args) -> None:
        if self.closed:
            return
        try:
            method(*args)
        except OSError as error:
            self.closed = True
            silence_stdout()
            if isinstance(error, BrokenPipeError) or error.errno == errno.EIO:  # reader or terminal gone
                self.stop.request(PIPE_CLOSED)
            else:  # a full disk under `nohup ... > log`: the run matters more than its progress lines
                warn(f"cannot write the progress to stdout ({error.strerror or error}); "
                     "training goes on without it and still saves")

    def __enter__(self):
        self._guard(self.reporter.__enter__)
        return self

    def __exit__(self, *exc) -> None:
        self._guard(self.reporter.__exit__, *exc)

    def show(self, event) -> None:
        self._guard(self.reporter.show, event)

    def note(self, text: str) -> None:
        self._guard(self.reporter.note, text)

    def say(self, text: str) -> None:
        self._guard(self.reporter.say, text)
