"""Watch a run another process writes: follow its metrics JSONL file and feed the app's RunState.

`MetricsFollower` is a tail: it reads what was appended since the last poll (at most READ_LIMIT
bytes a poll, so a big file is caught up over a few polls), keeps a partial last line until its
newline arrives, starts over when the file is truncated or replaced (rotation: another inode), and
waits for a file that does not exist yet. A line that is too long, not JSON, or not an event with
the right fields (engine.events.event_from_dict checks them) is skipped and counted, never fatal.
No textual here: the app drives it on a timer.
"""

from __future__ import annotations

import json
import os
import stat
import time
from dataclasses import dataclass, field
from typing import Any

from engine.events import Evaluated, RunFinished, RunStarted, StepLogged, event_from_dict
from engine.text import visible

READ_LIMIT = 4 << 20  # bytes read per poll
LINE_LIMIT = 1 << 20  # a longer line is skipped: no event is that big
POLL_SECONDS = 0.5
STALE_SECONDS = 60.0  # no new line for this long: the writer has probably stopped
SHOWN = (RunStarted, StepLogged, Evaluated, RunFinished)  # a race's results line has nothing to show here


class NotAFile(ValueError):
    """The path exists but is not a regular file (a FIFO, a device, a folder)."""


@dataclass
class FollowResult:
    events: list[Any] = field(default_factory=list)
    restarted: bool = False  # the file was truncated or replaced: everything before is gone


class MetricsFollower:
    def __init__(self, path: str):
        self.path = path
        self.offset = 0
        self.identity: tuple[int, int] | None = None  # (device, inode) of the file being followed
        self.partial = b""
        self.discarding = False  # inside an over-long line: drop bytes until its newline
        self.skipped = 0
        self.exists = False

    def poll(self) -> FollowResult:
        result = FollowResult()
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            self.exists = False
            return result
        if not stat.S_ISREG(info.st_mode):
            raise NotAFile(f"{visible(self.path, 200)} is not a regular file")
        self.exists = True
        identity = (info.st_dev, info.st_ino)
        if self.identity is not None and (identity != self.identity or info.st_size < self.offset):
            result.restarted = True
            self.offset, self.partial, self.discarding = 0, b"", False
        self.identity = identity
        if info.st_size > self.offset:
            result.events = self._parse(self._read(min(info.st_size - self.offset, READ_LIMIT)))
        return result

    def _read(self, size: int) -> bytes:
        flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(self.path, flags)
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the stat
                raise NotAFile(f"{visible(self.path, 200)} is not a regular file")
            data = os.pread(fd, size, self.offset)
        finally:
            os.close(fd)
        self.offset += len(data)
        return data

    def _parse(self, data: bytes) -> list[Any]:
        lines = (self.partial + data).split(b"\n")
        self.partial = lines.pop()  # no newline yet: the writer is in the middle of it
        events = []
        for line in lines:
            if self.discarding:
                self.discarding = False  # this is the end of an over-long line
                continue
            if len(line) > LINE_LIMIT:
                self.skipped += 1
                continue
            event = self._event(line)
            if event is not None:
                events.append(event)
        if len(self.partial) > LINE_LIMIT:
            self.partial, self.discarding = b"", True
            self.skipped += 1
        return events

    def _event(self, line: bytes) -> Any:
        if not line.strip():
            return None
        try:
            event = event_from_dict(json.loads(line))  # the engine parses what it wrote, every field checked
        except (ValueError, TypeError, KeyError, RecursionError):
            self.skipped += 1
            return None
        return event if isinstance(event, SHOWN) else None


WATCHED = ("train", "samples")  # the views a watched run has
RUN_ACTIONS = frozenset({"start", "pause", "stop", "reset", "new_seed", "save", "load", "direction", "race"})


class Watch:
    """The app side: polls the follower on a timer, folds events into the app's state, says how the run is."""

    def __init__(self, app, path: str, stale_seconds: float = STALE_SECONDS, clock=time.monotonic):
        from tui.run_state import RunState

        self.app, self.follower, self.stale_seconds, self.clock = app, MetricsFollower(path), stale_seconds, clock
        self.last_line = clock()
        self.new_state = lambda: RunState(watched=True)  # idle views say "waiting", not "press F5"
        self.status = ""
        self.parent_line = ""  # "branch of run X at step N" while the run shown is a branch

    def start(self) -> None:
        """Show Train and Samples only (nothing here can start, stop or save a run), then follow the file."""
        self.app.session.config = None  # nothing to start
        self.app.session.selected.state = self.new_state()
        for button in self.app.query("#training Button"):
            button.display = False  # Start, Pause, Stop, Reset: the run belongs to another process
        self.poll()
        self.app.call_after_refresh(self._read_only)
        self.app.set_interval(POLL_SECONDS, self.poll)

    def _read_only(self) -> None:
        """Once the tabs exist: every view but Train and Samples hidden (make_app opened Train)."""
        from tui.views import VIEWS

        tabs = self.app.query_one("#tabs")
        for view in VIEWS:
            if view.id not in WATCHED:
                tabs.hide_tab(view.id)

    @staticmethod
    def allows(action: str, parameters: tuple) -> bool:
        """Read-only: no run action, and only the Train and Samples views."""
        if action == "show_tab":
            return parameters[0] in WATCHED
        return action not in RUN_ACTIONS

    def poll(self) -> None:
        try:
            result = self.follower.poll()
        except (NotAFile, OSError) as e:
            self._say(f"cannot read: {visible(str(e), 120)}")
            return
        run = self.app.session.selected
        state = run.state
        if result.restarted:  # truncated or replaced: the old run leaves the views at once
            state = run.state = self.new_state()
            self.parent_line = ""
            self.app.redraw(replaced=True)
        now = self.clock()
        for event in result.events:
            if isinstance(event, RunStarted) and event.run_id != state.run_id:
                state = run.state = self._next_run(state, event)
                parent = event.parent
                self.parent_line = (f"branch of run {visible(parent['run_id'], 20)} at step {parent['step']:,}"
                                    if parent else "")
            if event.run_id == state.run_id or isinstance(event, RunStarted):
                state.apply(event)
        if result.events:
            self.last_line = now
            self.app.views_throttle.request()
        self._say(self.describe(now))

    def _next_run(self, state, event: RunStarted):
        """Another run appended to the file. A fresh one (step 0) replaces the view; a resumed run or a
        branch continues its curve from the step it starts at, drawn on the earlier run's points."""
        if event.step == 0 or not state.run_id:
            return self.new_state()
        state.losses = [point for point in state.losses if point[0] <= event.step]
        state.evals = [e for e in state.evals if e.step <= event.step]
        state.finished = None
        return state

    def describe(self, now: float) -> str:
        follower, state = self.follower, self.app.session.selected.state
        skipped = f" · {follower.skipped} bad line{'s' * (follower.skipped != 1)} skipped" if follower.skipped else ""
        if not follower.exists:
            return f"waiting for the file to appear{skipped}"
        if state.finished is not None:
            return f"the run {visible(state.finished.reason, 20)} at step {state.step:,}{skipped}"
        if self.parent_line:
            skipped = f" · {self.parent_line}{skipped}"
        if not state.run_id:
            return f"waiting for a run to start{skipped}"
        quiet = now - self.last_line
        if quiet >= self.stale_seconds:
            return f"no new line for {quiet:.0f} s: the run may have stopped writing{skipped}"
        return f"following: step {state.step:,}{skipped}"

    def _say(self, status: str) -> None:
        self.status = status
        # the status first: at 80 columns the header cuts the end of the line, and the path can wait
        self.app.title = "watching"
        self.app.sub_title = f"{status} · {visible(os.path.basename(self.follower.path), 40)}"
