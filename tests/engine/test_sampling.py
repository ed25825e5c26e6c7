"""Sampling a completion: any positive temperature works, and a broken model says so in one line."""

from __future__ import annotations

import pytest
import torch
from cli_helpers import one_error_line, poisoned_checkpoint, rnnplay

import engine
from engine.models import GenerationError, SequenceModel, generate


@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return SequenceModel(12, cell="lstm", hidden=16, embedding=8).eval()


@pytest.mark.parametrize("temperature", [1e-300, 5e-324, 1e-30, 1e-6])
def test_a_tiny_temperature_samples_like_greedy(model, temperature):
    gen = torch.Generator().manual_seed(1)
    assert generate(model, [1, 2, 3], 40, temperature, gen) == generate(model, [1, 2, 3], 40, 0.0)


def test_a_huge_temperature_samples_every_symbol_evenly(model):
    gen = torch.Generator().manual_seed(1)
    out = generate(model, [1], 1200, 1e300, gen)
    assert set(out) == set(range(12)) and max(out.count(i) for i in range(12)) < 200


def test_sampling_follows_the_model_at_temperature_one(model):
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        probs = torch.softmax(model(torch.tensor([[5]]))[0][0, -1], -1)
    firsts = [generate(model, [5], 1, 1.0, gen)[0] for _ in range(3000)]
    favourite = int(probs.argmax())
    assert firsts.count(favourite) / 3000 == pytest.approx(float(probs[favourite]), abs=0.04)


@pytest.mark.parametrize("temperature", [0.0, 1.0, 1e-300])
def test_a_model_with_non_finite_weights_raises_one_clear_error(model, temperature):
    broken = SequenceModel(12, cell="lstm", hidden=16, embedding=8).eval()
    broken.load_state_dict(model.state_dict())
    with torch.no_grad():
        broken.head.bias[3] = float("inf")
    with pytest.raises(GenerationError, match="not a finite number") as info:
        generate(broken, [1, 2], 5, temperature, torch.Generator().manual_seed(0))
    assert isinstance(info.value, ValueError) and "\n" not in str(info.value)


def test_predict_a_tiny_temperature_in_the_cli_gives_the_greedy_completion(tmp_path):
    trainer = engine.Trainer(engine.presets.get("sentences-lesson").replace(device="cpu", steps=30))
    list(trainer.run())
    trainer.save(str(tmp_path / "s.safetensors"))
    greedy = rnnplay("predict", str(tmp_path / "s.safetensors"), "if you", "--length", "30")
    tiny = rnnplay("predict", str(tmp_path / "s.safetensors"), "if you", "--length", "30", "--temperature", "1e-300")
    assert greedy.returncode == tiny.returncode == 0 and tiny.stdout == greedy.stdout and tiny.stderr == ""


@pytest.mark.parametrize("temperature", ["0", "1"])
def test_predict_with_a_diverged_checkpoint_is_one_error_line(tmp_path, temperature):
    ckpt = poisoned_checkpoint(tmp_path / "nan.safetensors")
    run = rnnplay("predict", ckpt, "if you", "--length", "20", "--temperature", temperature)
    assert run.returncode == 2 and "finite" in one_error_line(run.stderr) and run.stdout == ""


@pytest.mark.parametrize("flags, name", [(["--length", "40"], "--length"), (["--temperature", "1"], "--temperature")])
def test_predict_refuses_sampling_flags_a_cipher_model_ignores(tmp_path, flags, name):
    trainer = engine.Trainer(engine.presets.get("hello").replace(device="cpu", steps=1))
    trainer.save(str(tmp_path / "h.safetensors"))
    run = rnnplay("predict", str(tmp_path / "h.safetensors"), "hello", *flags)
    line = one_error_line(run.stderr)
    assert run.returncode == 2 and line.startswith(f"rnnplay: error: {name}: a mapping model") and run.stdout == ""


@pytest.mark.parametrize("preset, text", [("hello", "hello"), ("sentences-lesson", "good")])
def test_inspect_and_predict_of_a_diverged_model_say_so_in_one_line(tmp_path, preset, text):
    ckpt = poisoned_checkpoint(tmp_path / "nan.safetensors", preset)
    for argv in (["predict", ckpt, text], ["inspect", ckpt, text], ["inspect", ckpt, text, "--json"]):
        run = rnnplay(*argv)
        assert run.returncode == 2 and "not a finite number" in one_error_line(run.stderr) and run.stdout == ""


def test_a_completion_run_that_diverges_ends_as_diverged(tmp_path):
    ckpt = poisoned_checkpoint(tmp_path / "nan.safetensors", "sentences-lesson")
    run = rnnplay("train", "--resume", ckpt, "--steps", "4", "--eval-every", "1", "--log-every", "2")
    assert "Traceback" not in run.stderr and run.returncode == 1, run.stderr
