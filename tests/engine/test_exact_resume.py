"""Exact resume: a run stopped and saved at step k, then resumed, gives the same losses, bit for bit on
CPU, as the run that was never interrupted: the same data stream, the same dropout masks, the same
place in the learning-rate schedule and the same optimizer state. Every task, with dropout and a
warm-up + cosine schedule on, so each of those has to be restored for the equality to hold."""

from __future__ import annotations

import threading

import pytest

import engine
from engine.events import Evaluated, StepLogged

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
