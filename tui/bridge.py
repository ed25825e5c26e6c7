"""The background jobs: training and racing (Trainer.run() or a race, its events batched into reports),
saving and loading a checkpoint.

The RunGate is the run's stop event (pausing blocks the trainer between steps, cancelling ends
the run after the current step). Events go to the UI through `report` (Shell.report), one batch about
every 50 ms; the loop never waits on the UI thread. No Textual here: the threads are plain daemon
threads (tui.threads), not Textual workers, which share the event loop's executor that quitting would
have to wait for.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from engine.config import ConfigError
from engine.events import RaceFinished, RunFinished, RunStarted
from tui.reports import (
    ContestantCreated,
    LoadFailed,
    ModelLoaded,
    Saved,
    TrainerCreated,
    TrainingEvents,
    TrainingFailed,
)

BATCH_SECONDS = 0.05
PAUSE_FOR_SAVE_SECONDS = 5.0  # a save waits this long for the run to sit between two steps


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
    """Collects events and reports them as one TrainingEvents batch per `interval` seconds."""

    def __init__(self, report: Callable[[Any], Any], interval: float = BATCH_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.report, self.interval, self.clock = report, interval, clock
        self.pending: list[Any] = []
        self.last = clock()

    def add(self, event: Any) -> None:
        self.pending.append(event)
        if isinstance(event, (RunStarted, RunFinished, RaceFinished)) or self.clock() - self.last >= self.interval:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.report(TrainingEvents(tuple(self.pending)))
            self.pending = []
        self.last = self.clock()


def pump(trainer: Any, gate: RunGate, report: Callable[[Any], Any], interval: float = BATCH_SECONDS) -> None:
    """Drive one run of `trainer`, reporting batched events; returns when it finishes or is stopped."""
    drive(trainer.run(stop=gate), gate, report, interval)


def drive(events: Iterable[Any], gate: RunGate, report: Callable[[Any], Any], interval: float = BATCH_SECONDS) -> None:
    """Report `events` (a run's or a race's) in batches until they end."""
    batcher = EventBatcher(report, interval)
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


def train(config: Any, trainer: Any, gate: RunGate, report: Callable[[Any], Any]) -> None:
    """Build a Trainer for `config` (unless `trainer` continues one) and run it until `gate` stops it."""
    try:
        if trainer is None:
            from engine.training import Trainer

            trainer = Trainer(config)  # with the engine's thread rule (the Session chose the count)
            if gate.cancelled.is_set():
                return
            report(TrainerCreated(trainer, gate))
        if not gate.cancelled.is_set():
            pump(trainer, gate, report)
    except Exception as error:  # any failure becomes a report; the app keeps running
        report(_failure(error, gate))


def race(contest: Any, configs: list[Any], report: Callable[[Any], Any]) -> None:
    """Race `configs` (engine.racing interleaves them) until `contest.gate` stops it."""
    try:
        from engine.racing import race as racing

        def created(index: int, trainer: Any) -> None:
            report(ContestantCreated(contest, index, trainer))

        drive(racing(configs, contest.gate, target=contest.target, created=created), contest.gate, report)
    except Exception as error:  # any failure becomes a report; the app keeps running
        report(_failure(error, contest.gate))


def save(trainer: Any, gate: RunGate | None, path: str, report: Callable[[Any], Any]) -> None:
    """Save in a thread; a running run is paused between steps meanwhile, so the weights are whole.
    A failed save loses nothing: the model stays in memory and the dialog opens again."""
    pause = gate is not None and not gate.paused and not gate.cancelled.is_set()
    if gate is not None and not gate.cancelled.is_set():
        gate.pause()  # paused just before (Save first) or now: either way, wait until it sits between steps
        gate.wait_until_blocked(PAUSE_FOR_SAVE_SECONDS)
    step = trainer.step
    try:
        trainer.save(path)
    except Exception as error:  # CheckpointError, OSError, or anything else: the model is kept either way
        report(Saved(trainer, step, path, str(error) or type(error).__name__))
    else:
        report(Saved(trainer, step, path))
    finally:
        if pause:
            gate.resume()


def load(path: str, device: str, report: Callable[[Any], Any]) -> None:
    """Resume `path` as a trainer when its data is at hand, else load it for prediction only."""
    import engine
    from engine.storage.checkpoint import CheckpointError

    try:
        try:
            model, resumable = engine.Trainer.resume(path, device=device), True
        except (engine.ConfigError, engine.DeviceError):
            model, resumable = engine.load(path, device="cpu"), False
    except (CheckpointError, engine.ConfigError, engine.DeviceError, OSError, MemoryError) as error:
        report(LoadFailed(path, str(error)))
        return
    report(ModelLoaded(model, path, resumable))
