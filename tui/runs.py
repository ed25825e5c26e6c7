"""Runs: every run the app holds (the single run of Setup, a race's contestants), one of them selected.

The selected run is what Play, Train, Samples and saving use. Each run has its own RunState and
model; a race's contestants share the race's gate, so pause and stop apply to the whole race.
Events are routed to their run by run_id (a trainer's id is known before its first event).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.events import Evaluated, RaceFinished, RunFinished
from tui.run_state import RunState


@dataclass(eq=False)
class Run:
    name: str
    state: RunState = field(default_factory=RunState)
    model: Any = None  # what Play and Inside ask: a Trainer, or a predict-only model read from a checkpoint
    trainable: bool = False  # whether `model` is a Trainer (it trains, continues and saves)
    gate: Any = None  # what pauses and stops it; shared by a race's contestants
    saved_step: int = 0  # the trainer's step when it was last saved or loaded
    started_at_step: int = 0
    race: Race | None = None  # the race this run is a contestant of

    @property
    def trainer(self) -> Any:
        """The Trainer this run holds, or None (no model yet, or one loaded for prediction only)."""
        return self.model if self.trainable else None

    def hold(self, model: Any, trainable: bool, saved_step: int = 0) -> None:
        """Take `model`: a Trainer (`trainable`) or a predict-only loaded model; `saved_step` is on disk."""
        self.model, self.trainable, self.saved_step = model, trainable, saved_step

    def drop(self) -> None:
        """Forget the model and what the views showed of it: the next start makes new weights."""
        self.model, self.trainable, self.saved_step, self.state = None, False, 0, RunState()

    @property
    def run_id(self) -> str:
        return getattr(self.model, "run_id", None) or self.state.run_id

    def unsaved_steps(self) -> int:
        """Steps trained since this run's model was last saved or loaded (0: nothing would be lost)."""
        if self.trainer is None:
            return 0
        return max(0, self.trainer.step - self.saved_step)


@dataclass(eq=False)
class Contestant:
    """One row of the race's results: live from the events, completed by RaceFinished."""

    run: Run
    cell: str
    seed: int
    steps_to_target: int | None = None
    result: dict[str, Any] | None = None  # from RaceFinished: seconds and ms per step measured by the race

    @property
    def label(self) -> str:
        return f"{self.cell} seed {self.seed}"


@dataclass(eq=False)
class Race:
    contestants: list[Contestant]
    target: float
    gate: Any = None
    finished: bool = False
    version: int = 0  # moves on every change the results table shows

    def note(self, run: Run, event: Any) -> None:
        """Fold one of a contestant's events into the results."""
        for contestant in self.contestants:
            if contestant.run is run and isinstance(event, Evaluated) and contestant.steps_to_target is None \
                    and event.accuracy is not None and event.accuracy >= self.target:
                contestant.steps_to_target = event.step
                self.version += 1
        if isinstance(event, RunFinished):
            self.version += 1

    def finish(self, event: RaceFinished) -> None:
        for contestant, result in zip(self.contestants, event.results, strict=False):
            contestant.result = result
            contestant.steps_to_target = result.get("steps_to_target")
        self.finished = True
        self.version += 1

    @property
    def running(self) -> bool:
        return not self.finished and any(c.run.state.status != "finished" for c in self.contestants)


class Runs:
    """The runs in the app, in the order they were made; `selected` is the one the views show."""

    def __init__(self) -> None:
        self.items: list[Run] = [Run("run")]
        self.selected: Run = self.items[0]
        self.race: Race | None = None  # the latest race

    def for_event(self, run_id: str) -> Run | None:
        return next((run for run in self.items if run.run_id == run_id), None)

    def start_race(self, race: Race) -> None:
        """Replace the last race's contestants (stopped first by the caller) with this race's; the
        caller selects one."""
        self.items = [run for run in self.items if run.race is None] + [c.run for c in race.contestants]
        self.race = race

    def select(self, run: Run) -> None:
        if run in self.items:
            self.selected = run

    def single(self) -> Run:
        """The run that Setup's F5 trains (not a race contestant)."""
        return next(run for run in self.items if run.race is None)

    def unsaved(self) -> list[Run]:
        """Runs whose trained weights would be lost on quitting."""
        return [run for run in self.items if run.unsaved_steps()]
