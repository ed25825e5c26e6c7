"""Branches: resuming with a changed setting is a new run that records its parent, in its events, its
metrics file and its checkpoints; resuming with nothing changed continues the same line."""

from __future__ import annotations

import json

import pytest
from safetensors import safe_open
from safetensors.torch import load_file, save_file

import engine
from engine.events import RunStarted
from tests.engine.cli_helpers import one_error_line, rnnplay


def saved(path, steps: int = 4, **changes) -> tuple[str, str]:
    trainer = engine.Trainer(engine.presets.get("hello").replace(steps=steps, device="cpu", **changes))
    list(trainer.run())
    trainer.save(str(path))
    return str(path), trainer.run_id


def started(trainer) -> RunStarted:
    return next(e for e in trainer.run() if isinstance(e, RunStarted))


def test_a_changed_setting_records_the_parent(tmp_path):
    path, parent_id = saved(tmp_path / "a.safetensors")
    branch = engine.Trainer.resume(path, lr=0.01)
    branch.config = branch.config.replace(steps=8)
    event = started(branch)
    assert event.parent == {"checkpoint": path, "run_id": parent_id, "step": 4,
                            "changed": {"lr": [0.05, 0.01], "steps": [4, 8]}}
    assert event.run_id != parent_id and event.to_dict()["parent"]["run_id"] == parent_id


def test_where_it_runs_and_how_often_it_reports_are_not_a_branch(tmp_path):
    path, _ = saved(tmp_path / "a.safetensors", steps=4)
    same = engine.Trainer.resume(path, device="cpu", log_every=2, eval_every=3)
    assert started(same).parent is None


@pytest.mark.parametrize("changes", [{}, {"device": "cpu"}], ids=["nothing", "device"])
def test_a_continued_run_keeps_its_run_id(tmp_path, changes):
    """Ctrl-C then --resume (or only another device) is the same run going on, not a new one with no parent."""
    path, run_id = saved(tmp_path / "a.safetensors")
    again = engine.Trainer.resume(path, **changes)
    event = started(again)
    assert event.run_id == run_id == again.run_id and event.parent is None


def test_a_branch_checkpoint_keeps_its_line_and_a_branch_of_it_points_back(tmp_path):
    path, first = saved(tmp_path / "a.safetensors")
    branch = engine.Trainer.resume(path, clip=1.0)
    list(branch.run())
    branch.save(str(tmp_path / "b.safetensors"))
    loaded = engine.load(str(tmp_path / "b.safetensors"))
    assert loaded.run_id == branch.run_id and loaded.parent["run_id"] == first
    again = engine.Trainer.resume(str(tmp_path / "b.safetensors"))  # nothing changed: the same line
    assert started(again).parent == loaded.parent
    deeper = engine.Trainer.resume(str(tmp_path / "b.safetensors"), lr=0.001)
    parent = started(deeper).parent
    assert parent["run_id"] == branch.run_id and parent["changed"] == {"lr": [0.05, 0.001]}


def test_the_cli_says_so_and_writes_it_to_the_metrics_file(tmp_path):
    path, parent_id = saved(tmp_path / "a.safetensors")
    metrics = tmp_path / "m.jsonl"
    done = rnnplay("train", "--resume", path, "--lr", "0.02", "--steps", "3", "--metrics", str(metrics),
                   "--save", str(tmp_path / "b.safetensors"))
    assert done.returncode == 0, done.stderr
    assert f"branch of run {parent_id} at step 4" in done.stdout and "lr 0.05 -> 0.02" in done.stdout
    first = json.loads(metrics.read_text().splitlines()[0])
    assert first["event"] == "started" and first["parent"]["run_id"] == parent_id
    shown = rnnplay("inspect", str(tmp_path / "b.safetensors"), "hello", "--json")
    assert shown.returncode == 0 and json.loads(shown.stdout)["parent"]["step"] == 4


@pytest.mark.parametrize("parent", [
    "not an object", {"checkpoint": 5, "run_id": "a", "step": 1}, {"checkpoint": "x", "run_id": "a", "step": -1},
    {"checkpoint": "x", "run_id": "a" * 100, "step": 1}, {"checkpoint": "x", "run_id": "a", "step": 1, "evil": 1},
    {"checkpoint": "x", "run_id": "a", "step": 1, "changed": {"lr": [1]}},
])
def test_a_crafted_parent_is_refused_in_one_line(tmp_path, parent):
    path, _ = saved(tmp_path / "a.safetensors", steps=1)
    with safe_open(path, framework="pt") as f:
        meta = json.loads(f.metadata()["rnnplay"])
    meta["parent"] = parent
    save_file(load_file(path), path, metadata={"rnnplay": json.dumps(meta)})
    done = rnnplay("predict", path, "hello")
    assert done.returncode == 2 and "parent" in one_error_line(done.stderr)
