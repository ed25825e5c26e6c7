"""Exact resume (engine/randomness.py keeps the dropout stream): a run stopped and saved at step k, then
resumed, gives the same losses, bit for bit on CPU, as the run that was never interrupted: the same data
stream, the same dropout masks, the same place in the learning-rate schedule and the same optimizer state.
Every task, with dropout and a warm-up + cosine schedule on, so each of those has to be restored for the
equality to hold."""

from __future__ import annotations

import json
import signal
import subprocess
import threading

import pytest
import torch

import engine
from engine.events import Evaluated, StepLogged
from tests.engine.cli_helpers import rnnplay, start

SMALL = {"caesar": dict(preset="caesar", length=12, batch_size=8, hidden=24),
         "vigenere": dict(preset="vigenere", length=12, batch_size=8, hidden=24),
         "echo": dict(preset="echo", length=12, batch_size=8, hidden=24),
         "completion": dict(preset="completion", corpus="engine/corpora/shakespeare.txt", length=16,
                            batch_size=8, hidden=24),
         "mapping": dict(preset="hello-embedding-lesson")}
STEPS, STOP_AT = 9, 4


def config_for(task: str, **changes):
    settings = dict(SMALL[task])
    preset = settings.pop("preset")
    settings.update(steps=STEPS, log_every=1, eval_every=3, eval_early=False, seed=11, device="cpu",
                    dropout=0.3, layers=2, schedule="cosine", warmup=0.3, eval_budget=0)
    settings.update(changes)
    return engine.presets.get(preset).replace(**settings)


def trajectory(trainer, stop_at: int | None = None) -> list[tuple[str, int, float]]:
    """(kind, step, loss) of every step and evaluation; with stop_at, stop (as Ctrl-C does) after that step."""
    stop, seen = threading.Event(), []
    for event in trainer.run(stop):
        if isinstance(event, (StepLogged, Evaluated)):
            seen.append((event.kind, event.step, event.loss))
        if isinstance(event, StepLogged) and event.step == stop_at:
            stop.set()
    return seen


def after(events, step: int):
    return [e for e in events if e[1] > step]


@pytest.mark.parametrize("task", list(SMALL))
def test_a_stopped_and_resumed_run_equals_the_uninterrupted_run_bit_for_bit(task, tmp_path):
    config = config_for(task)
    whole = trajectory(engine.Trainer(config))
    first = engine.Trainer(config)
    before = trajectory(first, stop_at=STOP_AT)
    assert first.step == STOP_AT and before == [e for e in whole if e[1] <= STOP_AT]
    path = str(tmp_path / f"{task}.safetensors")
    first.save(path)
    resumed = engine.Trainer.resume(path)
    rest = trajectory(resumed)
    assert resumed.step == STEPS and len(after(whole, STOP_AT)) >= STEPS - STOP_AT
    assert rest == after(whole, STOP_AT)  # floats compared exactly


def test_without_the_saved_dropout_stream_the_resumed_run_differs(tmp_path):
    """The test above can fail: a resumed run that draws fresh dropout masks does not match."""
    config = config_for("caesar")
    whole = trajectory(engine.Trainer(config))
    first = engine.Trainer(config)
    trajectory(first, stop_at=STOP_AT)
    path = str(tmp_path / "c.safetensors")
    first.save(path)
    resumed = engine.Trainer.resume(path)
    resumed.dropout_rng = type(resumed.dropout_rng)(config.seed + 1, resumed.device, True)
    assert trajectory(resumed) != after(whole, STOP_AT)


def test_an_interrupted_time_budget_goes_on_from_where_it_stopped(tmp_path):
    """The training clock is saved: a run stopped halfway through --seconds resumes its budget and its
    schedule there, and a new --seconds on resume starts a new budget."""
    config = config_for("caesar", seconds=30.0, steps=100_000_000)
    first = engine.Trainer(config)
    trajectory(first, stop_at=3)
    assert 0 < first.trained_seconds < 30
    path = str(tmp_path / "t.safetensors")
    first.save(path)
    assert engine.Trainer.resume(path).trained_seconds == first.trained_seconds
    assert engine.Trainer.resume(path, seconds=5.0).trained_seconds == 0.0


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A real checkpoint of a run with dropout, stopped at STOP_AT: (path, meta, tensors)."""
    import json

    from safetensors import safe_open

    trainer = engine.Trainer(config_for("caesar"))
    trajectory(trainer, stop_at=STOP_AT)
    path = str(tmp_path_factory.mktemp("saved") / "run.safetensors")
    trainer.save(path)
    with safe_open(path, framework="pt", device="cpu") as f:
        return path, json.loads(f.metadata()["rnnplay"]), {k: f.get_tensor(k) for k in f.keys()}


def crafted(tmp_path, meta, tensors) -> str:
    import json

    from safetensors.torch import save_file

    path = str(tmp_path / "crafted.safetensors")
    save_file(tensors, path, metadata={"rnnplay": json.dumps(meta)})
    return path


def test_the_run_state_is_plain_tensors_and_json(saved):
    path, meta, tensors = saved
    assert tensors["dropout_rng"].dtype == torch.uint8 and tensors["rng"].dtype == torch.uint8
    assert isinstance(meta["trained_seconds"], float) and meta["step"] == STOP_AT


@pytest.mark.parametrize("change, named", [
    (lambda m, t: t.update(dropout_rng=t["dropout_rng"].float()), "dropout_rng"),
    (lambda m, t: t.update(dropout_rng=torch.zeros(2, 3, dtype=torch.uint8)), "dropout_rng"),
    (lambda m, t: t.update(dropout_rng_cuda=torch.zeros(1 << 21, dtype=torch.uint8)), "dropout_rng_cuda"),
    (lambda m, t: m.update(trained_seconds=-1.0), "trained_seconds"),
    (lambda m, t: m.update(trained_seconds="1e9"), "trained_seconds"),
    (lambda m, t: m.update(trained_seconds=float("inf")), "trained_seconds"),
])
def test_a_crafted_run_state_is_refused_in_one_line(saved, tmp_path, change, named):
    import json

    _, meta, tensors = saved
    meta, tensors = json.loads(json.dumps(meta)), dict(tensors)
    change(meta, tensors)
    path = crafted(tmp_path, meta, tensors)
    with pytest.raises(engine.CheckpointError) as info:
        engine.Trainer.resume(path)
    assert named in str(info.value) and "\n" not in str(info.value)


def test_a_dropout_state_that_is_not_a_generator_state_leaves_a_fresh_stream(saved, tmp_path):
    """Bytes of the right kind but not a generator state: the run resumes (not bit for bit)."""
    _, meta, tensors = saved
    path = crafted(tmp_path, meta, {**tensors, "dropout_rng": torch.zeros(7, dtype=torch.uint8)})
    trainer = engine.Trainer.resume(path)
    assert trainer.step == STOP_AT and len(trajectory(trainer)) > 0


def test_a_checkpoint_from_before_exact_resume_still_resumes(saved, tmp_path):
    _, meta, tensors = saved
    meta = {k: v for k, v in meta.items() if k != "trained_seconds"}
    path = crafted(tmp_path, meta, {k: v for k, v in tensors.items() if k != "dropout_rng"})
    trainer = engine.Trainer.resume(path)
    assert trainer.step == STOP_AT and trainer.trained_seconds == 0.0
    assert [e[1] for e in trajectory(trainer) if e[0] == "step"] == list(range(STOP_AT + 1, STEPS + 1))


# Exact resume from the command line: a run stopped with Ctrl-C (it saves), then `--resume`d, prints
# the same losses, bit for bit, as the same command never interrupted.
RUN = ("train", "--task", "caesar", "--steps", "60", "--log-every", "1", "--seed", "3", "--length", "12",
       "--batch-size", "8", "--hidden", "24", "--layers", "2", "--dropout", "0.2", "--schedule", "cosine",
       "--warmup", "0.2", "--json", "--threads", "1")


def step_losses(lines) -> dict[int, float]:
    events = [json.loads(line) for line in lines if line.strip()]
    return {e["step"]: e["loss"] for e in events if e["event"] == "step"}


def test_ctrl_c_then_resume_prints_the_uninterrupted_losses(tmp_path):
    ckpt = tmp_path / "run.safetensors"
    proc = start(*RUN, "--save", str(ckpt), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if '"step": 5,' in line and '"event": "step"' in line:
            proc.send_signal(signal.SIGINT)
            break
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    before = step_losses(seen + out.splitlines())
    stopped_at = max(before)
    assert 5 <= stopped_at < 60
    resumed = rnnplay("train", "--resume", str(ckpt), "--json", "--threads", "1")
    assert resumed.returncode == 0, resumed.stderr
    whole = rnnplay(*RUN)
    assert whole.returncode == 0, whole.stderr
    expected = step_losses(whole.stdout.splitlines())
    after = step_losses(resumed.stdout.splitlines())
    assert sorted(after) == list(range(stopped_at + 1, 61))
    assert after == {step: loss for step, loss in expected.items() if step > stopped_at}
    assert {s: before[s] for s in before} == {s: expected[s] for s in before}


def test_the_note_names_the_ranks_that_start_afresh_or_are_set_aside():
    from engine.randomness import resume_note

    assert resume_note(2, 2) is None and resume_note(0, 1) is None  # the same count; an old one-process file
    assert "2 processes and this run has 3 processes: rank 2 starts afresh" in resume_note(2, 3)
    assert "ranks 2 to 3 start afresh" in resume_note(2, 4)
    assert "the streams of ranks 1 to 2 are set aside" in resume_note(3, 1)
    assert "no dropout stream (an older checkpoint)" in resume_note(0, 2) and "ranks 0 to 1" in resume_note(0, 2)
