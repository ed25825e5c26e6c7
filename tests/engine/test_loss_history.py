"""A checkpoint carries the losses its run logged (so a branch can be drawn over its parent's curve):
bounded, evenly thinned, kept across resumes, and checked on load like every other field."""

from __future__ import annotations

import json

import pytest
from safetensors import safe_open
from safetensors.torch import load_file, save_file

import engine
from engine import loss_history
from engine.events import StepLogged
from engine.storage.checkpoint import CheckpointError
from tests.engine.cli_helpers import one_error_line, rnnplay


def trained(tmp_path, steps: int = 12, name: str = "a.safetensors") -> tuple[str, list[tuple[int, float]]]:
    trainer = engine.Trainer(engine.presets.get("hello").replace(steps=steps, log_every=2, device="cpu"))
    logged = [(e.step, e.loss) for e in trainer.run() if isinstance(e, StepLogged)]
    path = str(tmp_path / name)
    trainer.save(path)
    return path, logged


def rounded(points):
    return [(step, float(f"{loss:.6g}")) for step, loss in points]


def test_a_checkpoint_carries_its_losses_and_a_resumed_run_adds_to_them(tmp_path):
    path, logged = trained(tmp_path)
    assert list(engine.load(path).history.points) == rounded(logged)
    resumed = engine.Trainer.resume(path, lr=0.01)
    resumed.config = resumed.config.replace(steps=16)
    more = [(e.step, e.loss) for e in resumed.run() if isinstance(e, StepLogged)]
    resumed.save(str(tmp_path / "b.safetensors"))
    branch = engine.load(str(tmp_path / "b.safetensors"))
    assert list(branch.history.points) == rounded(logged) + rounded(more)  # the whole line, parent's part first
    assert branch.parent["step"] == 12


def test_a_long_run_keeps_a_bounded_evenly_spread_curve_ending_at_its_last_step():
    kept = loss_history.LossHistory()
    for step in range(1, 100_001):
        kept.add(step, 1.0 / step)
        assert len(kept.points) <= 2 * loss_history.LIMIT
    kept.add(100_001, float("nan"))  # a diverged loss is never a point
    saved = kept.saved()
    steps = saved["steps"]
    assert len(steps) == loss_history.LIMIT == len(saved["losses"]) and steps[0] == 1 and steps[-1] == 100_000
    gaps = [b - a for a, b in zip(steps, steps[1:], strict=False)]
    assert max(gaps) <= 2 * min(gaps) + 1  # even, not dense at one end
    assert len(json.dumps(saved)) < 64_000  # small beside the weights
    assert loss_history.check(saved, 100_000)[-1] == (100_000, 1e-05)


def crafted(path: str, curve) -> None:
    with safe_open(path, framework="pt") as f:
        meta = json.loads(f.metadata()["rnnplay"])
    meta["loss_history"] = curve
    meta["step"] = 5000  # so that only the history is wrong, even with 2,001 points
    save_file(load_file(path), path, metadata={"rnnplay": json.dumps(meta)})


BAD = {
    "not an object": [1, 2],
    "an extra key": {"steps": [1], "losses": [1.0], "evil": 1},
    "lengths differ": {"steps": [2, 4], "losses": [1.0]},
    "a step as text": {"steps": ["2"], "losses": [1.0]},
    "a step true": {"steps": [True], "losses": [1.0]},
    "a fractional step": {"steps": [2.5], "losses": [1.0]},
    "steps going back": {"steps": [4, 2], "losses": [1.0, 0.5]},
    "a repeated step": {"steps": [2, 2], "losses": [1.0, 0.5]},
    "a step past the checkpoint": {"steps": [2, 5001], "losses": [1.0, 0.5]},
    "a step 0": {"steps": [0], "losses": [1.0]},
    "NaN": {"steps": [2], "losses": [float("nan")]},
    "infinity": {"steps": [2], "losses": [float("inf")]},
    "a negative loss": {"steps": [2], "losses": [-1.0]},
    "a loss as text": {"steps": [2], "losses": ["1.0"]},
    "too long": {"steps": list(range(1, 2002)), "losses": [1.0] * 2001},
    "a whole number past float's range": {"steps": [2], "losses": [10**400]},
    "a loss too big to draw": {"steps": [2], "losses": [1e308]},
}


@pytest.mark.parametrize("curve", BAD.values(), ids=BAD.keys())
def test_a_crafted_history_is_refused_naming_the_field(tmp_path, curve):
    path, _ = trained(tmp_path, steps=2)
    crafted(path, curve)
    with pytest.raises(CheckpointError, match="loss_history") as refused:
        engine.load(path)
    assert "\n" not in str(refused.value)
    with pytest.raises(CheckpointError, match="loss_history"):
        engine.Trainer.resume(path)


def test_the_cli_refuses_a_crafted_history_in_one_line(tmp_path):
    path, _ = trained(tmp_path, steps=4)
    crafted(path, {"steps": [4, 2], "losses": [1.0, 0.5]})
    for command in (("predict", path, "hello"), ("train", "--resume", path, "--lr", "0.01")):
        done = rnnplay(*command)
        line = one_error_line(done.stderr)
        assert done.returncode == 2 and "loss_history.steps[1]" in line and "steps rise" in line, done.stderr


def test_a_checkpoint_without_a_history_still_loads(tmp_path):
    """Checkpoints saved before the field existed have none: they load, with an empty curve."""
    path, _ = trained(tmp_path, steps=4)
    with safe_open(path, framework="pt") as f:
        meta = json.loads(f.metadata()["rnnplay"])
    del meta["loss_history"]
    save_file(load_file(path), path, metadata={"rnnplay": json.dumps(meta)})
    assert engine.load(path).history.points == [] and engine.Trainer.resume(path).history.points == []
