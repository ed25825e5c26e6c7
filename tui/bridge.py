"""The training thread: runs Trainer.run() in a daemon thread and batches its events into messages.

The RunGate is the run's stop event (pausing blocks the trainer between steps, cancelling ends
the run after the current step). Events go to the UI with post_message, one message about every
50 ms; the loop never waits on the UI thread (no call_from_thread). The thread is not a Textual
worker: those share the event loop's executor, which quitting would have to wait for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from engine.config import ConfigError
from engine.events import RaceFinished, RunFinished, RunStarted
from tui import threads
from tui.messages import ContestantCreated, TrainerCreated, TrainingEvents, TrainingFailed

BATCH_SECONDS = 0.05


class RunGate:
    """Trainer.run's `stop`: is_set() reports cancellation and, while paused, blocks between steps."""

    def __init__(self) -> None:
        self.cancelled = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self.blocked = threading.Event()  # set while the trainer waits here
        self.on_block: Callable[[], None] = lambda: None

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def cancel(self) -> None:
        self.cancelled.set()
        self._running.set()

    def is_set(self) -> bool:
        if not self._running.is_set() and not self.cancelled.is_set():
            self.on_block()
            self.blocked.set()
            while not self._running.wait(0.05) and not self.cancelled.is_set():
                pass
            self.blocked.clear()
        return self.cancelled.is_set()

    def wait_until_blocked(self, timeout: float) -> bool:
        """After pause(): wait until the trainer sits between steps (or the run is over)."""
        return self.blocked.wait(timeout)


class EventBatcher:
    """Collects events and posts them as one TrainingEvents message per `interval` seconds."""

    def __init__(self, post: Callable[[Any], Any], interval: float = BATCH_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.post, self.interval, self.clock = post, interval, clock
        self.pending: list[Any] = []
        self.last = clock()

    def add(self, event: Any) -> None:
        self.pending.append(event)
        if isinstance(event, (RunStarted, RunFinished, RaceFinished)) or self.clock() - self.last >= self.interval:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.post(TrainingEvents(tuple(self.pending)))
            self.pending = []
        self.last = self.clock()


def pump(trainer: Any, gate: RunGate, post: Callable[[Any], Any], interval: float = BATCH_SECONDS) -> None:
    """Drive one run of `trainer`, posting batched events; returns when it finishes or is stopped."""
    drive(trainer.run(stop=gate), gate, post, interval)


def drive(events: Iterable[Any], gate: RunGate, post: Callable[[Any], Any], interval: float = BATCH_SECONDS) -> None:
    """Post `events` (a run's or a race's) in batches until they end."""
    batcher = EventBatcher(post, interval)
    gate.on_block = batcher.flush
    try:
        for event in events:
            batcher.add(event)
    finally:
        batcher.flush()


def _failure(error: BaseException, gate: RunGate) -> TrainingFailed:
    from engine.devices import DeviceError
    from engine.text import visible

    if isinstance(error, ConfigError):
        return TrainingFailed(visible(error, 300), error.field, gate)
    if isinstance(error, DeviceError):
        return TrainingFailed(visible(error, 300), "device", gate)
    return TrainingFailed(visible(f"training failed: {type(error).__name__}: {error}", 300), None, gate)


class TrainingBridge:
    """Mixin for the App: owns the training thread and the race thread."""

    training_thread: threading.Thread | None = None
    race_thread: threading.Thread | None = None

    def run_training(self, config: Any, trainer: Any, gate: RunGate) -> threading.Thread:
        """Build a Trainer for `config` (unless `trainer` continues one) and run it until `gate` stops it."""
        self.training_thread = threads.start("training", self._train, config, trainer, gate)
        return self.training_thread

    def _train(self, config: Any, trainer: Any, gate: RunGate) -> None:
        try:
            if trainer is None:
                from engine.training import Trainer

                trainer = Trainer(config)  # with the engine's thread rule (the app chose at start)
                if gate.cancelled.is_set():
                    return
                self.post_message(TrainerCreated(trainer, gate))
            if not gate.cancelled.is_set():
                pump(trainer, gate, self.post_message)
        except Exception as error:  # any failure becomes a message; the app keeps running
            self.post_message(_failure(error, gate))

    def run_race(self, race: Any, configs: list[Any]) -> threading.Thread:
        """Race `configs` in one thread (engine.race interleaves them) until `race.gate` stops it."""
        self.race_thread = threads.start("race", self._race, race, configs)
        return self.race_thread

    def _race(self, race: Any, configs: list[Any]) -> None:
        try:
            from engine.racing import race as racing


            def created(index: int, trainer: Any) -> None:
                self.post_message(ContestantCreated(race, index, trainer))

            drive(racing(configs, race.gate, target=race.target, created=created), race.gate, self.post_message)
        except Exception as error:  # any failure becomes a message; the app keeps running
            self.post_message(_failure(error, race.gate))
