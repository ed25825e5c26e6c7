"""A run's logged training losses, kept compactly so a checkpoint can carry its curve.

A branch is drawn over its parent's curve, so the parent's (step, loss) points must travel with the
checkpoint it is resumed from. They are few and bounded: the trainer keeps at most 2 x LIMIT points
(halving the density when full, so old and new parts of a long run stay evenly spread) and a
checkpoint stores at most LIMIT of them, thinned evenly, the latest always kept. In the metadata they
are two arrays, {"steps": [...], "losses": [...]}, with losses to 6 significant digits.
"""

from __future__ import annotations

import math
from typing import Any

from engine.settings import finite_number

LIMIT = 2000  # points in a checkpoint: a smooth curve at any terminal width, ~30 KB of JSON
MAX_LOSS = 1e9  # far above any real mean loss (a plot cannot draw 1e308); larger ones are not recorded
FIELD = "loss_history"

Point = tuple[int, float]


class LossHistory:
    """(step, mean training loss) at each log point of a run and of the runs it continues."""

    def __init__(self, points: tuple[Point, ...] | list[Point] = ()) -> None:
        self.points: list[Point] = list(points)
        self.stride = 1  # keep every stride-th logged point: it doubles each time the list is halved
        self.logged = 0
        self.latest: Point | None = self.points[-1] if self.points else None

    def add(self, step: int, loss: float) -> None:
        if not (math.isfinite(loss) and 0 <= loss <= MAX_LOSS):
            return  # a diverged run ends there; its last finite point is the curve's end
        self.latest = (step, loss)
        if self.logged % self.stride == 0:
            self.points.append(self.latest)
        self.logged += 1
        if len(self.points) > 2 * LIMIT:
            self.points, self.stride = self.points[::2], self.stride * 2

    def saved(self) -> dict[str, list] | None:
        """The metadata field: at most LIMIT points, evenly thinned, ending at the latest; None when empty."""
        points = list(self.points)
        if self.latest is not None and (not points or points[-1] != self.latest):
            points.append(self.latest)
        if not points:
            return None
        points = thin(points, LIMIT)
        return {"steps": [step for step, _ in points], "losses": [float(f"{loss:.6g}") for _, loss in points]}


def thin(points: list[Point], limit: int) -> list[Point]:
    """At most `limit` points picked at even intervals, the first and the last kept."""
    if len(points) <= limit:
        return points
    last = len(points) - 1
    return [points[round(i * last / (limit - 1))] for i in range(limit)]


def check(value: Any, step: int) -> tuple[Point, ...]:
    """The history of a checkpoint at `step`, read from its metadata; ValueError naming the problem.

    Only rnnplay writes this field, from finite logged losses, so anything else is a crafted or damaged
    file: it is refused like any other wrong field, never drawn."""
    if value is None:
        return ()
    if not isinstance(value, dict) or set(value) != {"steps", "losses"}:
        raise ValueError(f"{FIELD}: expected an object with 'steps' and 'losses' (arrays of the same length)")
    steps, losses = value["steps"], value["losses"]
    if not isinstance(steps, list) or not isinstance(losses, list) or len(steps) != len(losses):
        raise ValueError(f"{FIELD}: expected 'steps' and 'losses' as arrays of the same length")
    if len(steps) > LIMIT:
        raise ValueError(f"{FIELD}: {len(steps):,} points; at most {LIMIT:,} are accepted")
    before = 0
    for index, (at, loss) in enumerate(zip(steps, losses, strict=True)):
        if isinstance(at, bool) or not isinstance(at, int) or not before < at <= step:
            raise ValueError(f"{FIELD}.steps[{index}]: expected a whole number above {before:,} (steps rise) "
                             f"and at most the checkpoint's step {step:,}")
        if not (finite_number(loss) and 0 <= loss <= MAX_LOSS):
            raise ValueError(f"{FIELD}.losses[{index}]: expected a loss from 0 to {MAX_LOSS:g}")
        before = at
    return tuple((at, float(loss)) for at, loss in zip(steps, losses, strict=True))
