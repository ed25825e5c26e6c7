"""Run settings: `train` and `tui` share them, flags a run would ignore are refused, resumed runs are honest."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from cli_helpers import COMMAND, one_error_line, rnnplay

import engine
from engine.cli.args import UsageError
from engine.cli.main import build_parser, main
from engine.cli.train import train_config
from engine.cli.tui import tui_options


def options(*argv):
    return tui_options(build_parser().parse_args(["tui", *argv]))


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


@pytest.mark.parametrize("argv, words", [
    (["--preset", "sentences-lesson", "--batch-size", "7"], "--batch-size: the lesson's three sentences"),
    (["--preset", "sentences-lesson", "--length", "5"], "--length: the lesson's three sentences"),
    (["--preset", "caesar", "--pairs", "ab:ba"], "--pairs: the caesar task does not use it"),
    (["--task", "completion", "--key", "3"], "--key: the completion task does not use it"),
    (["--preset", "hello", "--batch-size", "4"], "--batch-size: every pair trains in one batch"),
])
def test_flags_the_task_ignores_are_refused(argv, words):
    with pytest.raises(UsageError, match=words):
        train_config(build_parser().parse_args(["train", *argv]))


def test_flags_the_task_reads_are_accepted(tmp_path):
    corpus = tmp_path / "c.txt"
    corpus.write_text("abc " * 100)
    args = ["train", "--preset", "sentences-lesson", "--corpus", str(corpus), "--batch-size", "7", "--length", "5"]
    assert train_config(build_parser().parse_args(args)).batch_size == 7


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    path = tmp_path_factory.mktemp("resume") / "h.safetensors"
    assert main(["train", "--preset", "hello", "--steps", "12", "--device", "cpu", "--save", str(path)]) == 0
    return str(path)


def test_resume_steps_means_that_many_more_steps(saved):
    run = rnnplay("train", "--resume", saved, "--steps", "5", "--lr", "0.01", "--json")
    events = [json.loads(line) for line in run.stdout.splitlines()]
    assert events[0]["step"] == 12 and events[0]["config"]["steps"] == 17
    assert events[0]["config"]["lr"] == 0.01
    assert [e for e in events if e["event"] == "finished"][0]["step"] == 17 and run.returncode == 0


def test_resume_without_steps_trains_on_to_the_saved_total(saved):
    run = rnnplay("train", "--resume", saved, "--json")
    finished = [json.loads(line) for line in run.stdout.splitlines() if '"finished"' in line]
    assert finished[0]["step"] == 12 and finished[0]["reason"] == "completed"


@pytest.mark.parametrize("flag", [["--hidden", "9"], ["--batch-size", "2"], ["--task", "caesar"],
                                  ["--preset", "hello"], ["--seed", "3"], ["--pairs", "ab:ba"], ["--no-zero-grad"]])
def test_resume_refuses_each_setting_it_cannot_apply_by_name(saved, flag):
    run = rnnplay("train", "--resume", saved, *flag)
    line = one_error_line(run.stderr)
    assert run.returncode == 2 and line.startswith(f"rnnplay: error: {flag[0]}: a resumed run keeps")
    assert ("only --corpus, --lr, --clip, --schedule, --warmup, --steps, --seconds, --until, --precision, --device, "
            "--log-every, --eval-every, --eval-early, --eval-budget and --threads") in line  # the resumable facts


@pytest.mark.parametrize("steps", ["0", "-1", "99999999999999999999"])
def test_resume_refuses_a_step_count_out_of_range(saved, steps):
    run = rnnplay("train", "--resume", saved, "--steps", steps)
    assert run.returncode == 2 and "--steps" in one_error_line(run.stderr) and "accepted: 1 to" in run.stderr


def test_more_steps_on_resume_are_not_cut_by_the_old_runs_time_budget(tmp_path):
    """`train --seconds 60` then `--resume --steps 500`: the 500 steps run whole, whatever the machine's speed."""
    ckpt = tmp_path / "s.safetensors"
    assert rnnplay("train", "--preset", "caesar", "--seconds", "0.5", "--device", "cpu",
                   "--save", str(ckpt)).returncode == 0
    done = rnnplay("train", "--resume", str(ckpt), "--steps", "40", "--json", "--log-every", "10")
    assert done.returncode == 0, done.stderr
    events = [json.loads(line) for line in done.stdout.splitlines()]
    started, finished = events[0], [e for e in events if e["event"] == "finished"][0]
    assert started["config"]["seconds"] == 0.0 and finished["step"] == started["step"] + 40


def test_eval_every_given_evaluates_exactly_every_n_steps_even_where_a_preset_defers_them():
    """The caesar preset evaluates early (steps 1, 2, 3, ...) and defers evaluations that would cost over
    1.5 % of the time; a user who asks --eval-every 10 gets steps 10, 20, 30 (so --until stops alike)."""
    run = rnnplay("train", "--preset", "caesar", "--device", "cpu", "--steps", "30", "--eval-every", "10", "--json")
    steps = [json.loads(line)["step"] for line in run.stdout.splitlines() if '"event": "eval"' in line]
    assert run.returncode == 0 and steps == [10, 20, 30]
