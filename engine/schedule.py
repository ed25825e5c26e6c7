"""Learning-rate schedules and when to evaluate: pure arithmetic, no torch, cheap to call every step."""

from __future__ import annotations

import functools
import math

SCHEDULES = ("constant", "cosine", "linear")


def progress(step: int, steps: int, trained_s: float, seconds: float) -> float:
    """How far through the run we are, 0..1: by steps, or by the time budget when that bounds it first."""
    by_steps = step / steps
    if seconds > 0:
        return min(1.0, max(by_steps, trained_s / seconds))
    return min(1.0, by_steps)


def out_of_time(seconds: float, trained_s: float) -> bool:
    """Whether a run with a time budget of `seconds` (0 = none) has used it up after `trained_s`."""
    return 0 < seconds <= trained_s


def lr_factor(schedule: str, warmup: float, position: float) -> float:
    """The multiplier on the base learning rate at `position` (0..1) of the run.

    Linear warm-up over the first `warmup` fraction of the run, then constant, or cosine or linear decay to zero.
    """
    if warmup > 0 and position < warmup:
        return max(position / warmup, 1e-3)  # never exactly zero: the first step still learns a little
    if schedule == "constant":
        return 1.0
    rest = min(max((position - warmup) / (1.0 - warmup) if warmup < 1 else 1.0, 0.0), 1.0)
    if schedule == "linear":
        return 1.0 - rest
    return 0.5 * (1.0 + math.cos(math.pi * rest))


def is_early(step: int, eval_every: int) -> bool:
    """Steps 1, 2, 3, ... spaced ~25 % apart below eval_every: evaluations there show a run that
    learns fast when it happens, not at its first regular evaluation."""
    return step < eval_every and step in early_steps(eval_every)


@functools.lru_cache(maxsize=16)
def early_steps(eval_every: int) -> frozenset[int]:
    """1, 2, 3, ..., 8, 10, 12, 15, 18, 22, 27, 33, 41 (for 50): dense first, then geometric."""
    points, step = set(), 1
    while step < eval_every:
        points.add(step)
        step = max(step + 1, int(step * 1.25))
    return frozenset(points)
