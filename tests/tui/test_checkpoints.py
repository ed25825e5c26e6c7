"""Checkpoints as the app sees them: the newest one to suggest, the preset a model matches, a loaded state."""

from __future__ import annotations

import os
from types import SimpleNamespace

from engine import presets
from tui.checkpoints import loaded_state, matching_preset, newest_checkpoint


def test_the_newest_checkpoint_is_suggested_and_nothing_else(tmp_path):
    assert newest_checkpoint(str(tmp_path)) == "" and newest_checkpoint(str(tmp_path / "missing")) == ""
    for name, when in (("old.safetensors", 1), ("new.safetensors", 2), ("newest.txt", 3),
                       ("bad\x1bname.safetensors", 4)):  # not a checkpoint; a name the terminal would run
        (tmp_path / name).write_bytes(b"x")
        os.utime(tmp_path / name, (when, when))
    (tmp_path / "folder.safetensors").mkdir()
    os.utime(tmp_path / "folder.safetensors", (5, 5))
    assert newest_checkpoint(str(tmp_path)) == "new.safetensors"


def test_a_model_matches_the_preset_whose_settings_it_has_whatever_its_steps_and_device():
    assert matching_preset(presets.get("caesar").replace(steps=7, device="cpu")) == "caesar"
    assert matching_preset(presets.get("caesar").replace(hidden=13)) is None


def test_a_loaded_model_shows_its_step_size_and_saved_metrics():
    config = presets.get("hello").replace(steps=40)
    model = SimpleNamespace(config=config, step=30, run_id="abc", device="cpu", model=None, history=None,
                            metrics={"loss": 0.5, "eval_loss": 0.25, "accuracy": 0.75})
    state = loaded_state(model)
    assert (state.status, state.run_id, state.step, state.total_steps, state.loss) == ("finished", "abc", 30, 40, 0.5)
    assert state.finished.reason == "loaded" and state.eval_count == 1 and state.latest.accuracy == 0.75
    assert state.losses == [] and state.parent_curve is None
    bare = loaded_state(SimpleNamespace(config=config, step=3, metrics={}))
    assert bare.run_id == "loaded" and bare.parameters == 0 and bare.eval_count == 0
