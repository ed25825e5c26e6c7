"""Branches: a run resumed from a checkpoint with a changed setting is a new run that remembers its parent.

A parent is a small JSON-ready dict: the checkpoint it started from, the run id that saved it, the step
it starts at and the settings it changed ({field: [before, after]}). It travels in the RunStarted event
(so in `--metrics` files), and in the branch's own checkpoints, so a branch of a branch knows its line.
Resuming with nothing changed continues the same line: the checkpoint's own parent, if it had one.
The app branches a checkpoint it has loaded in place (can_branch, retarget), as `train --resume` does
with flags. No torch (retarget sets a trainer's own optimizer, through its attributes).
"""

from __future__ import annotations

from typing import Any

from engine.config import MAX_STEPS, SETTINGS
from engine.text import visible

# Which settings make a branch and which a built trainer can take are facts on each field (engine.settings.Resume):
# where a run trains, where its corpus is and how it reports continue the run; how it learns and how long make a
# branch; the task, the model and the data stay the checkpoint's.
MAX_PATH = 4096
MAX_RUN_ID = 64


def origin(path: str, meta) -> dict[str, Any]:
    """Where a resumed trainer came from: the checkpoint, its run, its step, its settings and its own parent."""
    return {"checkpoint": path, "run_id": meta.run_id or "", "step": meta.step, "config": meta.config.to_dict(),
            "parent": meta.parent}


def parent_of(start: dict[str, Any] | None, config) -> dict[str, Any] | None:
    """The parent of a run with `config` that started from `start` (an origin()), None for a fresh run."""
    if start is None:
        return None
    changed = changes(start, config)
    if not changed:
        return start["parent"]  # the same run, continued
    return {"checkpoint": start["checkpoint"], "run_id": start["run_id"], "step": start["step"], "changed": changed}


def changes(start: dict[str, Any], config) -> dict[str, list]:
    """{setting: [before, after]} for the settings that make a run resumed from `start` a branch."""
    now = config.to_dict()
    return {name: [value, now[name]] for name, value in start["config"].items()
            if SETTINGS[name].resume.makes_branch and now[name] != value}


def describe(parent: dict[str, Any] | None) -> str:
    """One line for people: 'branch of run 1a2b3c4d at step 200 (ckpt.safetensors): lr 0.01 -> 0.003'."""
    if not parent:
        return ""
    changes = ", ".join(f"{name} {visible(before, 30)} -> {visible(after, 30)}"
                        for name, (before, after) in parent.get("changed", {}).items())
    run = f"run {visible(parent['run_id'], 20)}" if parent.get("run_id") else "a run"
    return (f"branch of {run} at step {parent['step']:,} ({visible(parent['checkpoint'], 80)})"
            + (f": {changes}" if changes else ""))


def can_branch(trainer, config) -> bool:
    """Whether `trainer`, resumed from a checkpoint and not trained since, can go on with `config` as a branch
    of that checkpoint: only settings it takes in place differ (a later step would not be the checkpoint's)."""
    start = getattr(trainer, "origin", None)
    if not start or trainer.step != start["step"]:
        return False
    now, before = config.to_dict(), trainer.config.to_dict()
    return all(now[name] == value for name, value in before.items() if not SETTINGS[name].resume.in_place)


def resumed(config, step: int, changes: dict[str, Any]):
    """The config of a checkpoint at `step` with resumable settings given as `train --resume` takes them:
    `steps` is that many more steps; a time budget given alone runs until it ends. ConfigError if bad."""
    changes = dict(changes)
    if "steps" in changes:
        changes["steps"] += step
        if "seconds" not in changes and config.seconds:
            changes["seconds"] = 0.0  # N more steps, not cut by the old run's clock
    elif changes.get("seconds"):
        changes["steps"] = MAX_STEPS
    return config.replace(**changes)


def retarget(trainer, config) -> None:
    """Point a resumed trainer at `config` (can_branch() said yes), as `Trainer.resume(path, **changes)`
    would have built it: the learning rate, the precision and a new time budget take effect."""
    from engine import precision  # ConfigError when the device cannot do the precision asked

    before = trainer.config
    trainer.precision = precision.resolve(config.precision, trainer.device)
    trainer.config = config
    for group in trainer.optimizer.param_groups:
        group["lr"] = config.lr
    if config.seconds != before.seconds:
        trainer.trained_seconds = 0.0  # a new budget starts afresh, as with --resume --seconds


def check(value: Any, field: str = "parent") -> dict[str, Any] | None:
    """A parent read from a file, checked (ValueError naming the problem): a crafted one is refused, not used."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) - {"checkpoint", "run_id", "step", "changed"}:
        raise ValueError(f"{field}: expected an object with checkpoint, run_id, step and changed")
    if not isinstance(value.get("checkpoint"), str) or len(value["checkpoint"]) > MAX_PATH:
        raise ValueError(f"{field}.checkpoint: expected a path of at most {MAX_PATH} characters")
    if not isinstance(value.get("run_id"), str) or len(value["run_id"]) > MAX_RUN_ID:
        raise ValueError(f"{field}.run_id: expected a run id of at most {MAX_RUN_ID} characters")
    step = value.get("step")
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step <= MAX_STEPS:
        raise ValueError(f"{field}.step: expected a whole number from 0 to {MAX_STEPS:,}")
    changed = value.get("changed", {})
    if not isinstance(changed, dict) or len(changed) > 64 or not all(
            isinstance(k, str) and isinstance(v, list) and len(v) == 2 for k, v in changed.items()):
        raise ValueError(f"{field}.changed: expected an object of setting: [before, after]")
    return value
