"""`rnnplay train` (engine/cli/train.py): flags a run would ignore are refused, resumed runs are honest, threads."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from cli_helpers import one_error_line, poisoned_checkpoint, rnnplay

from engine.cli.args import UsageError
from engine.cli.main import build_parser, main
from engine.cli.train import train_config


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


def test_a_completion_run_that_diverges_ends_as_diverged(tmp_path):
    ckpt = poisoned_checkpoint(tmp_path / "nan.safetensors", "sentences-lesson")
    run = rnnplay("train", "--resume", ckpt, "--steps", "4", "--eval-every", "1", "--log-every", "2")
    assert "Traceback" not in run.stderr and run.returncode == 1, run.stderr


# Threads: the default never oversubscribes the cores; --threads sets the count for every model-running command.
def cores() -> int:
    return len(os.sched_getaffinity(0))


def threads_after(argv: list[str], omp: str | None) -> tuple[int, int]:
    """(exit status, torch's intra-op thread count) after running rnnplay's main() in a fresh interpreter."""
    code = ("import sys, torch\nfrom engine.cli.main import main\nstatus = main(sys.argv[1:])\n"
            "print(status, torch.get_num_threads())")
    env = {k: v for k, v in os.environ.items() if k != "OMP_NUM_THREADS"}
    if omp is not None:
        env["OMP_NUM_THREADS"] = omp
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True, timeout=120, env=env)
    status, threads = out.stdout.split()[-2:]
    return int(status), int(threads)


TRAIN = ["train", "--preset", "hello", "--steps", "2", "--device", "cpu"]


def test_train_uses_the_default_without_the_flag():
    assert threads_after(TRAIN, None) == (0, max(1, cores() - 1))


def test_train_uses_omp_num_threads_when_set():
    assert threads_after(TRAIN, "3") == (0, 3)


def test_threads_flag_wins_over_omp_num_threads(tmp_path):
    assert threads_after([*TRAIN, "--threads", "2", "--save", str(tmp_path / "h.safetensors")], "1") == (0, 2)
    assert threads_after(["predict", str(tmp_path / "h.safetensors"), "hello", "--threads", "3"], "1") == (0, 3)


def test_until_on_the_command_line(tmp_path):
    done = rnnplay("train", "--preset", "caesar", "--until", "0.99", "--device", "cpu", "--steps", "400")
    assert done.returncode == 0 and "solved: " in done.stdout
    for bad, says in ((["--until", "1.5"], "accepted: from 0.0 to 1.0"),
                      (["--preset", "completion", "--corpus", "shakespeare", "--until", "0.5"], "not accuracy")):
        refused = rnnplay("train", *bad)
        assert refused.returncode == 2 and says in one_error_line(refused.stderr)


@pytest.mark.parametrize("text", ["1", "-0.5", "nan", "lots"])
def test_the_cli_refuses_bad_dropout_in_one_line(text):
    result = rnnplay("train", "--preset", "completion", "--dropout", text, "--steps", "1", "--device", "cpu")
    assert result.returncode == 2 and result.stdout == ""
    assert "dropout" in one_error_line(result.stderr)
