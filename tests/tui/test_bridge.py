"""The worker side of the bridge without an app: batching, pausing, cancelling."""

from __future__ import annotations

import threading
import time

from tui_helpers import wait_until

from engine.events import Evaluated, RunFinished, RunStarted, StepLogged
from tui.bridge import EventBatcher, RunGate, pump
from tui.reports import TrainingEvents


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_batcher_sends_one_message_per_interval():
    posted, clock = [], Clock()
    batcher = EventBatcher(posted.append, interval=0.05, clock=clock)
    batcher.add(RunStarted("r", "cpu", 10, {}))
    for step in range(1, 6):
        clock.now += 0.01
        batcher.add(StepLogged("r", step, 1.0, 100.0, clock.now))
    assert len(posted) == 2  # started at once, then steps 1-5 once 50 ms had passed
    assert [e.step for e in posted[1].events] == [1, 2, 3, 4, 5]
    batcher.add(StepLogged("r", 6, 1.0, 100.0, 0.06))
    batcher.add(RunFinished("r", 6, "completed"))
    assert all(isinstance(m, TrainingEvents) for m in posted)
    assert [type(e).__name__ for e in posted[-1].events] == ["StepLogged", "RunFinished"]


class FakeTrainer:
    """Yields a started event, then one step event per step until stop is set or steps run out."""

    def __init__(self, steps: int = 10_000) -> None:
        self.steps, self.step = steps, 0

    def run(self, stop):
        yield RunStarted("fake", "cpu", 1, {"steps": self.steps})
        while self.step < self.steps:
            if stop.is_set():
                yield RunFinished("fake", self.step, "stopped")
                return
            self.step += 1
            time.sleep(0.001)
            yield StepLogged("fake", self.step, 1.0, 1.0, 0.0)
        yield Evaluated("fake", self.step, 0.5)
        yield RunFinished("fake", self.step, "completed")


def run_in_thread(trainer, gate, posted):
    thread = threading.Thread(target=pump, args=(trainer, gate, posted.append))
    thread.start()
    return thread


def test_pump_delivers_every_event_in_order():
    posted = []
    pump(FakeTrainer(steps=30), RunGate(), posted.append)
    events = [e for m in posted for e in m.events]
    assert [e.step for e in events if isinstance(e, StepLogged)] == list(range(1, 31))
    assert isinstance(events[-1], RunFinished) and events[-1].reason == "completed"
    assert len(posted) < len(events)  # batched


def test_pause_blocks_between_steps_and_cancel_releases():
    posted, gate, trainer = [], RunGate(), FakeTrainer()
    thread = run_in_thread(trainer, gate, posted)
    wait_until(lambda: trainer.step > 0)  # running
    gate.pause()
    assert gate.wait_until_blocked(30)
    frozen = trainer.step
    # The trainer sits in the gate (blocked, checked again below): it cannot step, however long we look;
    # a slower machine only makes the look longer, so this sleep cannot make the test fail falsely.
    time.sleep(0.1)
    assert trainer.step == frozen and gate.blocked.is_set()  # paused: no steps
    gate.resume()
    wait_until(lambda: trainer.step > frozen)  # resumed: it steps again (however slowly)
    assert trainer.step > frozen
    gate.pause()
    assert gate.wait_until_blocked(30)
    gate.cancel()  # cancelling a paused run ends it
    thread.join(30)
    assert not thread.is_alive()
    finished = [e for m in posted for e in m.events if isinstance(e, RunFinished)]
    assert finished[0].reason == "stopped"
