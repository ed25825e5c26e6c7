"""A branch's parent curve: the parent's training losses up to the step the branch starts from.

A checkpoint carries the losses of its line (engine.loss_history). Loaded, they are the run's curve; when
the run then starts as a branch (a setting changed, so a new run id with a parent at this step), the
points up to that step become the parent's curve and the branch draws its own from there. A run
that continues unchanged keeps the same run id, so its curve simply goes on: one curve, not two.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from engine.events import RunStarted
from engine.text import visible


@dataclass(frozen=True)
class ParentCurve:
    run_id: str  # the parent's run id ("" for a checkpoint saved before run ids)
    step: int  # where the branch starts: the parent's curve ends here
    points: tuple[tuple[int, float], ...]
    changed: str  # "lr 0.01 -> 0.001, steps 50 -> 100"

    @property
    def label(self) -> str:
        """The legend's name for it: 'parent 1a2b3c4d to step 50'."""
        name = f"parent {visible(self.run_id, 12)}" if self.run_id else "parent"
        return f"{name} to step {self.step:,}"

    @property
    def line(self) -> str:
        """The plot's header: 'branch of 1a2b3c4d at step 50: lr 0.01 -> 0.001'."""
        name = visible(self.run_id, 12) if self.run_id else "a checkpoint"
        return f"branch of {name} at step {self.step:,}" + (f": {self.changed}" if self.changed else "")


def changes_text(parent: dict[str, Any]) -> str:
    return ", ".join(f"{visible(name, 20)} {visible(before, 24)} -> {visible(after, 24)}"
                     for name, (before, after) in parent.get("changed", {}).items())


def curve_of(parent: dict[str, Any] | None, points) -> ParentCurve | None:
    """The parent curve of a branch whose line logged `points`; None for a run that is no branch."""
    if not parent:
        return None
    step = parent["step"]
    return ParentCurve(parent.get("run_id", ""), step, tuple(p for p in points if p[0] <= step), changes_text(parent))


def loaded(state, model: Any) -> None:
    """Fill a loaded model's state with the curve its checkpoint carries: a branch's split at its start."""
    history = getattr(model, "history", None)
    points = list(history.points) if history is not None else []
    origin = getattr(model, "origin", None)  # a resumed Trainer: the checkpoint's parent is its origin's
    state.parent_curve = curve_of(origin["parent"] if origin else getattr(model, "parent", None), points)
    start = state.parent_curve.step if state.parent_curve else -1
    state.losses = [point for point in points if point[0] > start]


def started(state, event: RunStarted) -> None:
    """Before `state` applies `event`: a branch starting from the run shown takes that run's curve as its
    parent's (the loaded points and any earlier parent's), and draws its own from the branch step on."""
    parent = event.parent
    if not parent or parent["step"] != event.step or not state.run_id:
        return  # a fresh run, a run going on, or a branch going on past its start: its curve goes on
    before = state.parent_curve.points if state.parent_curve else ()
    state.parent_curve = curve_of(parent, [*before, *state.losses])
    state.losses = []
