"""`rnnplay export-script`: the script it writes, run as a real subprocess, prints the engine's losses exactly."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys

import pytest

import engine
from engine import cells, tasks
from engine.events import StepLogged
from tests.engine.cli_helpers import rnnplay


def in_process(*args: str) -> tuple[int, str]:
    """`rnnplay ARGS` run in this process: (status, stdout). Where the process under test is the exported
    script, the CLI's own launch only cost ~1.5 s of CPU importing torch (18 launches in this file)."""
    from engine.cli.main import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(list(args))
    return status, out.getvalue()


def engine_losses(*flags: str) -> dict[int, float]:
    """`rnnplay train --json`, run in this process as export() is; the losses are the same."""
    status, out = in_process("train", *flags, "--device", "cpu", "--json")
    assert status == 0, out[-2000:]
    events = [json.loads(line) for line in out.splitlines()]
    return {e["step"]: e["loss"] for e in events if e["event"] == "step"}


def script_losses(path, cwd=None) -> tuple[dict[int, float], str]:
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120, cwd=cwd)
    assert done.returncode == 0, done.stderr[-3000:]
    losses = {}
    for line in done.stdout.splitlines():
        if line.startswith("step "):
            _, step, _, loss = line.split()
            losses[int(step)] = float(loss)
    return losses, done.stdout


def export(tmp_path, *flags: str, name: str = "train.py"):
    """The CLI's export, run in this process (the subprocesses that matter are the two trainings)."""
    from engine.cli.main import main

    target = tmp_path / name
    assert main(["export-script", *flags, "-o", str(target)]) == 0
    return target


CASES = {
    # task, cell and the training features each one covers
    "caesar-lstm-auto-precision": ["--preset", "caesar", "--steps", "20"],
    "caesar-lesson-accumulate-batch-1": ["--preset", "caesar-lesson", "--steps", "25", "--log-every", "5"],
    "vigenere-rnn-clip": ["--preset", "vigenere", "--cell", "rnn", "--steps", "12", "--hidden", "32",
                          "--log-every", "4"],
    "echo-gru-cosine-warmup-bf16": ["--preset", "echo", "--cell", "gru", "--steps", "12", "--hidden", "32",
                                    "--log-every", "3",
                                    "--schedule", "cosine", "--warmup", "0.25", "--precision", "bf16"],
    "mapping-rnncell-no-head": ["--preset", "hello-rnncell-lesson"],
    "mapping-two-layer-rnn-sgd": ["--preset", "hello-embedding-lesson", "--optimizer", "sgd", "--lr", "0.5"],
    "caesar-rnncell-two-layers": ["--task", "caesar", "--cell", "rnncell", "--layers", "2", "--hidden", "24",
                                  "--steps", "8", "--log-every", "2", "--seed", "5", "--precision", "fp32"],
    "sentences-one-hot-rnn-linear-decay": ["--preset", "sentences-lesson", "--steps", "30", "--schedule", "linear"],
    "echo-lstm-forget-bias": ["--task", "echo", "--cell", "lstm", "--layers", "2", "--hidden", "16", "--steps", "6",
                              "--log-every", "2", "--delay", "3", "--forget-bias", "1", "--precision", "fp32"],
    "corpus-builtin-lstm": ["--preset", "completion", "--corpus", "shakespeare", "--steps", "6", "--hidden", "32",
                            "--log-every", "2", "--batch-size", "8", "--length", "16"],
}


@pytest.mark.parametrize("flags", CASES.values(), ids=CASES.keys())
def test_the_script_prints_the_engines_losses_exactly(tmp_path, flags):
    losses, _ = script_losses(export(tmp_path, *flags, "--device", "cpu"))
    assert losses and losses == engine_losses(*flags)


# every registered task (with its recommended preset) and every registered cell (on caesar): a task or cell
# added later is covered without a new case; the engine side runs in this process
REGISTERED = {**{f"task-{name}": {"task": name} for name in tasks.names()},
              **{f"cell-{name}": {"task": "caesar", "cell": name} for name in cells.names()}}


@pytest.mark.parametrize("settings", REGISTERED.values(), ids=REGISTERED.keys())
def test_every_registered_task_and_cell_exports_the_engines_losses(tmp_path, settings):
    task = tasks.task_class(settings["task"])
    corpus = {"corpus": "shakespeare", "batch_size": 4, "length": 16} if "corpus" in task.options else {}
    changes = {**settings, **corpus, "steps": 4, "log_every": 2, "precision": "fp32"}
    flags = [arg for name, value in changes.items() for arg in (f"--{name.replace('_', '-')}", str(value))]
    config = engine.presets.get(task.preset).replace(**changes, device="cpu", until=0.0)
    expected = {e.step: e.loss for e in engine.Trainer(config).run() if isinstance(e, StepLogged)}
    losses, _ = script_losses(export(tmp_path, "--preset", task.preset, *flags, "--device", "cpu"))
    assert losses and losses == expected


def test_a_checkpoints_script_repeats_the_run_that_saved_it(tmp_path):
    flags = ["--task", "echo", "--cell", "lstm", "--hidden", "16", "--steps", "9", "--log-every", "3", "--seed", "11",
             "--delay", "3", "--length", "12", "--batch-size", "16", "--lr", "0.02", "--clip", "0.5"]
    ckpt = tmp_path / "echo.safetensors"
    expected = engine_losses(*flags, "--save", str(ckpt))
    losses, out = script_losses(export(tmp_path, str(ckpt)))
    assert losses == expected and "accuracy on fresh streams" in out


def test_a_corpus_file_with_a_hostile_name_is_read_not_run(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    corpus = folder / "it's \"\"\" a\nname\\.txt"
    corpus.write_text("To be, or not to be: that is the question.\r\n" * 40, encoding="utf-8")
    flags = ["--task", "completion", "--corpus", str(corpus), "--cell", "gru", "--hidden", "16", "--steps", "6",
             "--batch-size", "4", "--length", "12", "--log-every", "2"]
    losses, _ = script_losses(export(tmp_path, *flags, "--device", "cpu"))
    assert losses == engine_losses(*flags)


_CODE = '"""\n__import__("os").system("touch PWNED")#'
_ESCAPES = '\x1b[2J\\\'"\'\'\'\n\r\t\x00\u202e\ud800x!'
HOSTILE = ((_CODE, _ESCAPES.ljust(len(_CODE), "~")),)


def hostile_checkpoint(path) -> str:
    import engine

    config = engine.presets.get("hello").replace(pairs=HOSTILE, steps=3, device="cpu")
    trainer = engine.Trainer(config)
    list(trainer.run())
    trainer.save(str(path))
    return str(path)


def test_strings_from_a_checkpoint_become_literals_never_code(tmp_path):
    """Pairs (the mapping vocabulary) with quotes, newlines, escapes and a lone surrogate: the script holds
    them as one literal equal to the checkpoint's, trains on them, and nothing in them runs."""
    import ast

    ckpt = hostile_checkpoint(tmp_path / "hostile.safetensors")
    script = export(tmp_path, ckpt)
    tree = ast.parse(script.read_text(encoding="utf-8"))
    pairs = [node.value for node in tree.body if isinstance(node, ast.Assign) and node.targets[0].id == "PAIRS"]
    assert ast.literal_eval(pairs[0]) == HOSTILE
    losses, out = script_losses(script, cwd=tmp_path)
    assert losses and not (tmp_path / "PWNED").exists()
    assert repr(HOSTILE[0][0]) in out  # show() prints them as literals too: no raw escape reaches a terminal
    assert "\x1b" not in out


def test_a_checkpoint_with_a_crafted_keyword_is_refused_in_one_line(tmp_path):
    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    import engine

    path = tmp_path / "vigenere.safetensors"
    trainer = engine.Trainer(engine.presets.get("vigenere").replace(steps=1, hidden=8, device="cpu"))
    list(trainer.run())
    trainer.save(str(path))
    with safe_open(str(path), framework="pt") as f:
        meta = json.loads(f.metadata()["rnnplay"])
    meta["config"]["keyword"] = 'SECRET"); __import__("os").system("touch PWNED")#'
    save_file(load_file(str(path)), str(path), metadata={"rnnplay": json.dumps(meta)})
    done = rnnplay("export-script", str(path), "-o", str(tmp_path / "out.py"), cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.startswith("rnnplay: error: ") and done.stderr.count("\n") == 1
    assert "keyword" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out.py").exists() and not (tmp_path / "PWNED").exists()


def test_a_time_budget_ends_the_script_as_it_ends_the_run(tmp_path):
    script = export(tmp_path, "--preset", "hello", "--seconds", "0.5", "--schedule", "cosine", "--device", "cpu")
    losses, _ = script_losses(script)
    assert losses and max(losses) < 100_000_000  # it stopped on the clock, long before STEPS


def test_without_output_it_prints_the_script_and_refuses_a_preset_with_a_checkpoint(tmp_path):
    done = rnnplay("export-script", "--preset", "hello")
    assert done.returncode == 0 and done.stdout.startswith('"""') and "class Model(nn.Module)" in done.stdout
    compile(done.stdout, "train.py", "exec")
    ckpt = hostile_checkpoint(tmp_path / "m.safetensors")
    done = rnnplay("export-script", ckpt, "--preset", "caesar")
    assert done.returncode == 2 and "not both" in done.stderr


def test_a_branchs_script_says_it_is_one(tmp_path):
    """A branch's checkpoint holds the settings after the branch: its script says the run had a parent."""
    first, branch = str(tmp_path / "a.safetensors"), str(tmp_path / "b.safetensors")
    assert in_process("train", "--preset", "caesar", "--steps", "3", "--device", "cpu", "--save", first)[0] == 0
    assert in_process("train", "--resume", first, "--lr", "0.001", "--steps", "2", "--save", branch)[0] == 0
    status, script = in_process("export-script", branch)
    assert status == 0 and "# this checkpoint is a branch of run " in script and "lr 0.03 -> 0.001" in script
    assert "branch of" not in in_process("export-script", first)[1]
