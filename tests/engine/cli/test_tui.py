"""`rnnplay tui --load CKPT` takes the settings a branch may change (as `train --resume` does) and
refuses, in one line naming what it accepts, those that would need another model or task."""

from __future__ import annotations

import os
import subprocess

import pytest
from cli_helpers import COMMAND, one_error_line, rnnplay

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


def test_tui_takes_every_run_setting_that_train_takes():
    def flags(command):
        sub = build_parser()._subparsers._group_actions[0].choices[command]
        return {s for action in sub._actions for s in action.option_strings}

    assert flags("train") - flags("tui") == {"--resume", "--save", "--metrics", "--json", "--nproc"}


def test_tui_opens_with_the_config_the_flags_describe(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("to be or not to be\n" * 50)
    opened = options("--preset", "completion", "--corpus", str(corpus), "--steps", "7", "--cell", "gru",
                     "--threads", "1")
    assert opened["config"] == engine.presets.get("completion").replace(corpus=str(corpus), steps=7, cell="gru")
    assert (opened["preset"], opened["load"], opened["threads"]) == ("completion", None, 1)
    assert options("--task", "mapping", "--pairs", "ab:ba")["config"].pairs == (("ab", "ba"),)
    assert options()["config"] == engine.presets.get("caesar") and options()["preset"] == "caesar"


def test_tui_load_passes_the_checkpoint_and_device_only(tmp_path):
    import engine as eng

    ckpt = tmp_path / "h.safetensors"
    trainer = eng.Trainer(eng.presets.get("hello").replace(steps=2, device="cpu"))
    trainer.save(str(ckpt))
    opened = options("--load", str(ckpt), "--device", "cpu", "--threads", "1")
    assert opened == {"config": None, "preset": None, "load": str(ckpt), "threads": 1, "device": "cpu"}
    with pytest.raises(UsageError, match="--hidden: --load opens a saved model with its own settings"):
        options("--load", str(ckpt), "--hidden", "9")


@pytest.mark.parametrize("argv, words", [
    (["tui", "--load", "missing.safetensors"], "--load: 'missing.safetensors': no such file or directory"),
    (["tui", "--load", "/"], "--load: '/' is a folder"),
    (["tui", "--load", "/dev/null"], "--load: '/dev/null' is not a regular file"),
    (["tui", "--load", __file__], "not a readable safetensors checkpoint"),
    (["tui", "--preset", "nope"], "preset: no preset 'nope'"),
    (["tui", "--preset", "sentences-lesson", "--batch-size", "7"], "--batch-size: the lesson's three sentences"),
    (["tui", "--cell", "lsmt"], "did you mean 'lstm'"),
    (["tui"], "the terminal app needs a terminal"),
    ([], "the terminal app needs a terminal"),
])
def test_tui_refuses_before_opening_with_one_line(argv, words):
    run = rnnplay(*argv, stdin=subprocess.DEVNULL)
    assert run.returncode == 2 and words in one_error_line(run.stderr) and run.stdout == ""


def test_tui_needs_a_terminal_for_its_output_too():
    import pty

    leader, follower = pty.openpty()
    try:
        run = subprocess.run(COMMAND, stdin=follower, capture_output=True, text=True, timeout=60)
    finally:
        os.close(leader)
        os.close(follower)
    assert run.returncode == 2 and "needs a terminal" in one_error_line(run.stderr)


def test_tui_passes_the_resolved_count_to_the_app(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    assert tui_options(build_parser().parse_args(["tui"]))["threads"] == 4
    assert tui_options(build_parser().parse_args(["tui", "--threads", "2"]))["threads"] == 2
