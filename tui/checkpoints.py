"""Checkpoints as the app sees them: the one to suggest loading, the preset a loaded model matches, and
what the views show for a model read from a file."""

from __future__ import annotations

import os
from typing import Any

from engine import presets
from engine.events import Evaluated, RunFinished
from tui import branch_curve
from tui.run_state import RunState


def newest_checkpoint(folder: str) -> str:
    """The most recently written *.safetensors file in `folder` (its name), or ""."""
    found = []
    try:
        with os.scandir(folder) as scan:
            for entry in scan:
                if entry.name.endswith(".safetensors") and entry.name.isprintable():
                    try:
                        if entry.is_file():
                            found.append((entry.stat().st_mtime, entry.name))
                    except OSError:  # vanished, or a broken link
                        continue
    except OSError:
        return ""
    return max(found)[1] if found else ""


def matching_preset(config: Any) -> str | None:
    """The preset whose settings `config` has (steps and device aside), if any."""
    mine = {k: v for k, v in config.to_dict().items() if k not in ("steps", "device")}
    for name in presets.names():
        theirs = presets.get(name).to_dict()
        if all(theirs.get(k) == v for k, v in mine.items()):
            return name
    return None


def loaded_state(model: Any) -> RunState:
    """What the views show for a model read from a checkpoint: its step, size and saved metrics."""
    metrics = dict(getattr(model, "metrics", {}) or {})
    module = getattr(model, "model", None)
    parameters = sum(p.numel() for p in module.parameters()) if module is not None else 0
    run_id = getattr(model, "run_id", "") or "loaded"
    state = RunState(status="finished", run_id=run_id, device=str(getattr(model, "device", "")),
                     parameters=parameters, config=model.config.to_dict(), total_steps=model.config.steps,
                     step=model.step, loss=metrics.get("loss"))
    state.finished = RunFinished(run_id, model.step, "loaded", metrics)
    branch_curve.loaded(state, model)  # the curve its checkpoint carries
    if metrics.get("eval_loss") is not None:
        state.evals.append(Evaluated(run_id, model.step, metrics["eval_loss"], metrics.get("accuracy"),
                                     metrics.get("bits_per_char")))
        state.eval_count = 1
    return state
