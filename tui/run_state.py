"""RunState: what the training views show, folded from engine events on the UI thread.

Widgets read it on a timer; `version` moves on every change so they redraw only when needed.
Versions come from one counter shared by all states, so a new run's state never repeats the
version a widget drew for the last run (two 15-step lessons reach the same count of events).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count
from typing import Any

from engine.events import Evaluated, RunFinished, RunStarted, StepLogged

HISTORY_LIMIT = 2000  # evaluations kept for the predictions log
_CHANGES = count()


@dataclass
class RunState:
    status: str = "idle"  # idle | starting | running | paused | finished
    watched: bool = False  # another process's run (rnnplay watch): nothing here can start it
    run_id: str = ""
    device: str = ""
    parameters: int = 0
    shapes: tuple[str, ...] = ()
    config: dict[str, Any] = field(default_factory=dict)
    total_steps: int = 0
    step: int = 0
    loss: float | None = None
    chars_per_s: float | None = None
    elapsed: float = 0.0
    elapsed_before: float = 0.0  # time spent in earlier run() calls of the same trainer
    losses: list[tuple[int, float]] = field(default_factory=list)
    parent_curve: Any = None  # a branch: its parent's losses up to where it starts (tui.branch_curve)
    evals: list[Evaluated] = field(default_factory=list)
    finished: RunFinished | None = None
    eval_count: int = 0  # evaluations seen in all (evals keeps the last HISTORY_LIMIT)
    version: int = field(default_factory=lambda: next(_CHANGES))
    plot_version: int = field(default_factory=lambda: next(_CHANGES))

    @property
    def training(self) -> bool:
        """Whether the run is under way: starting, running, paused or stopping."""
        return self.status in ("starting", "running", "paused", "stopping")

    @property
    def latest(self) -> Evaluated | None:
        return self.evals[-1] if self.evals else None

    def touch(self) -> None:
        """Mark the state changed: every view redraws."""
        self.version = next(_CHANGES)

    def apply(self, event: Any) -> None:
        """Fold one engine event into the state."""
        if isinstance(event, StepLogged):
            self.step, self.loss, self.chars_per_s = event.step, event.loss, event.chars_per_s
            self.elapsed = self.elapsed_before + event.elapsed
            self.losses.append((event.step, event.loss))
            self.plot_version = next(_CHANGES)
        elif isinstance(event, Evaluated):
            self.step = max(self.step, event.step)
            self.evals.append(event)
            self.eval_count += 1
            del self.evals[:-HISTORY_LIMIT]
            self.plot_version = next(_CHANGES)
        elif isinstance(event, RunStarted):
            self.status, self.finished = "running", None
            self.run_id, self.device, self.parameters = event.run_id, event.device, event.parameters
            self.shapes, self.config, self.step = event.shapes, event.config, event.step
            self.total_steps = int(event.config.get("steps", 0))
            self.elapsed_before = self.elapsed
        elif isinstance(event, RunFinished):
            self.status, self.finished, self.step = "finished", event, event.step
            self.elapsed = self.elapsed_before + event.elapsed
        self.touch()
