"""The training worker: runs Trainer.run() in a thread and batches its events into messages.

The worker's cancellation event is the run's stop event (wrapped in a RunGate so that pausing
blocks the trainer between steps). Events go to the UI with post_message, one message about
every 50 ms; the loop never waits on the UI thread (no call_from_thread).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from typing import Any

from textual import work
from textual.worker import get_current_worker

from engine.config import ConfigError
from engine.events import RunFinished, RunStarted
from tui.messages import TrainerCreated, TrainingEvents, TrainingFailed

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
        if isinstance(event, (RunStarted, RunFinished)) or self.clock() - self.last >= self.interval:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.post(TrainingEvents(tuple(self.pending)))
            self.pending = []
        self.last = self.clock()


def pump(trainer: Any, gate: RunGate, post: Callable[[Any], Any], interval: float = BATCH_SECONDS) -> None:
    """Drive one run of `trainer`, posting batched events; returns when it finishes or is stopped."""
    batcher = EventBatcher(post, interval)
    gate.on_block = batcher.flush
    try:
        for event in trainer.run(stop=gate):
            batcher.add(event)
    finally:
        batcher.flush()


def leave_a_core_for_the_ui() -> None:
    """Use one intra-op thread fewer than there are cores, so the UI thread never starves training.

    On a 2-core machine two OpenMP threads plus the UI thread oversubscribe the CPU; small models
    then train several times slower. An explicit OMP_NUM_THREADS is respected.
    """
    import torch

    cores = os.cpu_count() or 1
    if "OMP_NUM_THREADS" not in os.environ and torch.get_num_threads() >= cores:
        torch.set_num_threads(max(1, cores - 1))


def _failure(error: BaseException) -> TrainingFailed:
    from engine.devices import DeviceError

    if isinstance(error, ConfigError):
        return TrainingFailed(str(error), error.field)
    if isinstance(error, DeviceError):
        return TrainingFailed(str(error), "device")
    return TrainingFailed(f"training failed: {type(error).__name__}: {error}")


class TrainingBridge:
    """Mixin for the App: owns the one training worker."""

    @work(thread=True, exclusive=True, group="training", exit_on_error=False)
    def run_training(self, config: Any, trainer: Any, gate: RunGate) -> None:
        worker = get_current_worker()
        gate.cancelled = worker.cancelled_event
        try:
            if trainer is None:
                from engine.training import Trainer

                leave_a_core_for_the_ui()
                trainer = Trainer(config)
                if gate.cancelled.is_set():
                    return
                self.post_message(TrainerCreated(trainer))
            if not gate.cancelled.is_set():
                pump(trainer, gate, self.post_message)
        except Exception as error:  # any failure becomes a message; the app keeps running
            self.post_message(_failure(error))
