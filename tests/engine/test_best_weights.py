"""Longer runs do not overfit silently: a corpus run ends with, and saves, its best held-out weights."""

import json

import pytest
import torch

import engine
from engine.cli.console import describe_finish
from engine.events import Evaluated, RunFinished
from engine.tasks import held_out
from tests.engine.cli_helpers import rnnplay

SMALL = dict(device="cpu", hidden=16, embedding=8, batch_size=8, length=16, log_every=1, lr=0.05, clip=0.0,
             schedule="constant", warmup=0.0, precision="fp32", eval_budget=0.0, eval_early=False)


def diverging_corpus(tmp_path):
    """Training text 'abab...', held-out tail 'aabb...': the better the model learns its training text,
    the worse it predicts the tail, so the held-out loss rises after the first steps."""
    path = tmp_path / "overfit.txt"
    path.write_text("ab" * 900 + "aabb" * 50)
    return path


def held_loss(model, trainer) -> float:
    return held_out.full_context_loss(model.eval(), trainer.task.held)


def test_a_run_whose_held_out_loss_rises_ends_with_its_best_weights(tmp_path):
    cfg = engine.presets.get("completion").replace(corpus=str(diverging_corpus(tmp_path)), steps=40,
                                                   eval_every=5, **SMALL)
    trainer = engine.Trainer(cfg)
    events = list(trainer.run())
    evals = [e for e in events if isinstance(e, Evaluated)]
    finished = events[-1]
    assert isinstance(finished, RunFinished) and finished.reason == "completed" and finished.step == 40
    best = min(evals, key=lambda e: e.loss)
    assert evals[-1].loss > 2 * best.loss and best.step < 40  # it did overfit: the last is much worse
    assert finished.metrics["best_step"] == best.step
    assert finished.metrics["eval_loss"] == best.loss
    assert finished.metrics["bits_per_char"] == best.bits_per_char
    assert finished.metrics["windowed_bits_per_char"] == best.windowed_bits_per_char
    # the live weights, the snapshot predict() uses and the saved checkpoint are all the best ones
    assert held_loss(trainer.model, trainer) == pytest.approx(best.loss, rel=1e-5)
    with trainer.snapshot() as model:
        assert held_loss(model, trainer) == pytest.approx(best.loss, rel=1e-5)
    saved = tmp_path / "best.safetensors"
    trainer.save(str(saved))
    loaded = engine.load(str(saved))
    assert held_loss(loaded.model, trainer) == pytest.approx(best.loss, rel=1e-5)
    assert trainer.step == 40  # the step counter stays where training stopped
    line = describe_finish(finished)
    assert line.endswith(f" (kept the best weights, from step {best.step})")


def test_a_stopped_run_keeps_its_latest_weights_so_resuming_repeats_the_whole_run(tmp_path):
    """Stopping is a pause (exact resume continues it bit for bit); only a completed run swaps in its best."""
    import threading

    cfg = engine.presets.get("completion").replace(corpus=str(diverging_corpus(tmp_path)), steps=10_000,
                                                   eval_every=5, **SMALL)
    trainer, stop = engine.Trainer(cfg), threading.Event()
    evals, latest = [], None
    for event in trainer.run(stop):
        if isinstance(event, Evaluated):
            evals.append(event)
            if event.step == 40:
                stop.set()
                latest = [t.clone() for t in trainer.model.state_dict().values()]
        finished = event
    assert finished.reason == "stopped" and "best_step" not in finished.metrics
    assert min(evals, key=lambda e: e.loss).step < 40  # a better evaluation existed, and was not swapped in
    assert all(torch.equal(a, b) for a, b in zip(latest, trainer.model.state_dict().values(), strict=True))


def test_when_the_last_evaluation_is_the_best_nothing_is_swapped(tmp_path):
    path = tmp_path / "steady.txt"
    path.write_text("the quick brown fox jumps over the lazy dog. " * 60)
    cfg = engine.presets.get("completion").replace(corpus=str(path), steps=20, eval_every=10, **SMALL)
    trainer = engine.Trainer(cfg)
    before = None
    for event in trainer.run():
        if isinstance(event, Evaluated) and event.step == 20:
            before = [t.clone() for t in trainer.model.state_dict().values()]
        finished = event
    assert finished.metrics["best_step"] == 20
    assert all(torch.equal(a, b) for a, b in zip(before, trainer.model.state_dict().values(), strict=True))


def test_tasks_without_held_out_text_keep_their_last_weights():
    trainer = engine.Trainer(engine.presets.get("caesar").replace(device="cpu", steps=3, eval_every=1))
    finished = list(trainer.run())[-1]
    assert "best_step" not in finished.metrics


def test_the_cli_json_says_which_step_the_saved_weights_come_from(tmp_path):
    saved = tmp_path / "run.safetensors"
    result = rnnplay("train", "--preset", "completion", "--corpus", str(diverging_corpus(tmp_path)),
                     "--steps", "30", "--eval-every", "5", "--hidden", "16", "--embedding", "8", "--batch-size",
                     "8", "--length", "16", "--lr", "0.05", "--precision", "fp32", "--device", "cpu", "--json",
                     "--save", str(saved), env={"OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    evals = [line for line in lines if line["event"] == "eval"]
    finished = next(line for line in lines if line["event"] == "finished")
    best = min(evals, key=lambda e: e["loss"])
    assert finished["metrics"]["best_step"] == best["step"] < 30
    assert finished["metrics"]["bits_per_char"] == pytest.approx(best["bits_per_char"])
    loaded, text = engine.load(str(saved)), (tmp_path / "overfit.txt").read_text()
    tail = torch.tensor(loaded.vocab.encode(text[int(len(text) * 0.9):]))
    assert held_out.full_context_loss(loaded.model, tail) == pytest.approx(best["loss"], rel=1e-5)
