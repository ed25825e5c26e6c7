"""`rnnplay tui --load CKPT` takes the settings a branch may change (as `train --resume` does) and
refuses, in one line naming what it accepts, those that would need another model or task."""

from __future__ import annotations

import pytest

import engine
from engine.cli.args import UsageError
from engine.cli.main import build_parser
from engine.cli.tui import tui_options


def options(*argv: str) -> dict:
    return tui_options(build_parser().parse_args(["tui", *argv]))


@pytest.fixture
def checkpoint(tmp_path) -> str:
    path = str(tmp_path / "h.safetensors")
    engine.Trainer(engine.presets.get("hello").replace(steps=2, device="cpu")).save(path)
    return path


def test_load_passes_the_settings_a_branch_may_change(checkpoint):
    opened = options("--load", checkpoint, "--lr", "0.001", "--steps", "50", "--clip", "1", "--threads", "1")
    assert opened == {"config": None, "preset": None, "load": checkpoint, "threads": 1,
                      "changes": {"lr": 0.001, "steps": 50, "clip": 1.0}}


@pytest.mark.parametrize("argv", [("--hidden", "9"), ("--cell", "lstm"), ("--seed", "3"), ("--preset", "hello")])
def test_load_refuses_what_would_need_another_model_naming_what_it_takes(checkpoint, argv):
    with pytest.raises(UsageError) as refused:
        options("--load", checkpoint, *argv)
    message = str(refused.value)
    assert message.startswith(f"{argv[0]}: --load opens a saved model with its own settings")
    assert "--lr" in message and "--steps" in message and "--device and --threads" in message


@pytest.mark.parametrize("argv, says", [(("--lr", "-1"), "lr: -1.0 is out of range"), (("--lr", "nan"), "lr:"),
                                        (("--steps", "0"), "steps: 0 is out of range"),
                                        (("--until", "2"), "until: 2.0 is out of range"),
                                        (("--device", "cuda:7"), "not available on this machine")])
def test_load_refuses_a_bad_value_as_it_would_without_load(checkpoint, argv, says):
    with pytest.raises(ValueError, match=says):
        options("--load", checkpoint, *argv)


def test_branch_settings_count_steps_as_more_steps_like_train_resume():
    from engine.branches import resumed
    from engine.config import MAX_STEPS

    config = engine.presets.get("hello").replace(steps=20, seconds=30.0)
    assert resumed(config, 20, {"steps": 5}).steps == 25 and resumed(config, 20, {"steps": 5}).seconds == 0.0
    assert resumed(config, 20, {"seconds": 10.0}).steps == MAX_STEPS
    assert resumed(config, 20, {"lr": 0.01}) == config.replace(lr=0.01)


def test_load_takes_eval_every_as_train_resume_does_exactly_every_n_steps(checkpoint):
    opened = options("--load", checkpoint, "--eval-every", "5", "--threads", "1")
    assert opened["changes"] == {"eval_every": 5, "eval_budget": 0.0, "eval_early": False}
