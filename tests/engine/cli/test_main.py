"""The `rnnplay` command (engine/cli/main.py): its commands' output for people and scripts, one bounded
error line and status 2 for a mistake, and `predict`'s sampling flags."""

import json
import subprocess
import sys

import pytest
from cli_helpers import one_error_line, poisoned_checkpoint, read_terminal, rnnplay

import engine
from engine.cli.main import main


def test_encrypt_and_decrypt_print_the_caesar_cipher_of_the_text(capsys):
    assert main(["encrypt", "this is a secret"]) == 0
    assert capsys.readouterr().out == "FUVEMVEMNMERPDRF\n"
    assert main(["decrypt", "FUVEMVEMNMERPDRF", "--key", "13"]) == 0
    assert capsys.readouterr().out == "THIS-IS-A-SECRET\n"


def test_presets_lists_every_preset_with_task_and_cell_within_80_columns():
    from engine import presets

    run = rnnplay("presets", env={"COLUMNS": "200"})
    lines = run.stdout.splitlines()
    heads = [line.split() for line in lines if not line.startswith(" ")]
    assert [h[0] for h in heads] == presets.names() and heads[0] == ["caesar", "caesar", "lstm"]
    assert max(map(len, lines)) <= 80
    text = " ".join(line.strip() for line in lines)
    assert all(presets.describe(name).description in text for name in presets.names())


@pytest.mark.parametrize("argv, words", [
    (["encrypt", "x", "--key", "40"], "--key: 40 is out of range"),
    (["train", "--cell", "lsmt"], "did you mean 'lstm'"),
    (["train", "--preset", "nope"], "no preset 'nope'"),
    (["train", "--steps", "many"], "not a whole number"),
    (["train", "--device", "cuda:7"], "not available on this machine"),
    (["train", "--task", "mapping", "--pairs", "abc:ab"], "equal length"),
    (["predict", "/no/such.safetensors", "x"], "no such file"),
    (["frobnicate"], "invalid choice"),
    (["train", "--preset", "a\nb"], "no preset 'a⏎b'"),
    (["encrypt", "x", "y\nz"], "unrecognized arguments: 'y⏎z'"),
    (["train", "--preset", ""], "argument --preset: an empty value is not accepted"),
    (["train", "--resume", ""], "argument --resume: an empty value is not accepted"),
    (["tui", "--load", " "], "argument --load: an empty value is not accepted"),
    (["predict", "c.safetensors", "x", "--device", "tpu"], "argument --device: 'tpu' is not a device"),
    (["train", "--threads", "0"], "argument --threads: '0' is not a thread count; accepted: auto"),
    (["predict", "c.safetensors", "x", "--threads", "many"], "'many' is not a thread count"),
    (["tui", "--threads", "-2"], "'-2' is not a thread count"),
    (["predict", "c.safetensors", "x", "--temperature", "-1"], "argument --temperature: '-1' is not a temperature"),
    (["predict", "c.safetensors", "x", "--temperature", "nan"], "'nan' is not a temperature; accepted: 0"),
    (["predict", "c.safetensors", "x", "--temperature", "inf"], "'inf' is not a temperature"),
])
def test_usage_errors_exit_2_with_one_line(capsys, argv, words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and err.startswith("rnnplay: error:")


def test_a_model_trained_with_json_output_saves_and_predicts(tmp_path):
    ckpt, metrics = tmp_path / "c.safetensors", tmp_path / "m.jsonl"
    run = rnnplay("train", "--preset", "caesar", "--steps", "60", "--device", "cpu",
                  "--json", "--save", str(ckpt), "--metrics", str(metrics))
    assert run.returncode == 0, run.stderr
    events = [json.loads(line) for line in run.stdout.splitlines()]
    assert [e["event"] for e in events][:2] == ["started", "eval"]  # the preset evaluates early (step 1)
    assert [e["step"] for e in events if e["event"] == "step"] == [10, 20, 30, 40, 50, 60]
    assert events[-2]["event"] == "finished" and events[-2]["reason"] == "completed"
    assert any(e["event"] == "eval" and e["accuracy"] >= 0.99 for e in events)
    assert len(metrics.read_text().splitlines()) == len(events) - 1  # all but the "saved" note
    out = rnnplay("predict", str(ckpt), "FUVEMVEMNMERPDRF")
    assert out.stdout == "THIS-IS-A-SECRET\n"


def test_plain_lines_when_not_a_terminal():
    run = rnnplay("train", "--preset", "hello-rnncell-lesson", "--device", "cpu")
    assert run.returncode == 0
    assert "step 15: loss" in run.stdout and "finished: completed at step 15" in run.stdout
    assert "'hello' ->" in run.stdout


def test_version_prints_the_installed_packages_version():
    from importlib.metadata import version

    run = rnnplay("--version")
    assert (run.returncode, run.stdout) == (0, f"rnnplay {version('rnn-playground')}\n")


@pytest.mark.parametrize("argv", [
    ["train", "--cell", "x" * 100_000],
    ["train", "--steps", "9" * 100_000 + "z"],
    ["train", "--preset", "\x1b]0;pwned\x07" * 10_000],
    ["encrypt", "x", "\x1b[2J" * 30_000],
])
def test_error_lines_are_bounded_and_escape_what_was_typed(argv):
    run = rnnplay(*argv)
    assert run.returncode == 2
    line = one_error_line(run.stderr)
    assert len(line) <= 301 and "…" in line and "\x07" not in line  # the value is cut, not the reason


def strict(line: str):
    def refuse(name):
        raise ValueError(f"{name} is not JSON")
    return json.loads(line, parse_constant=refuse)


def test_json_output_is_strict_json_when_numbers_are_not_finite(tmp_path):
    ckpt = poisoned_checkpoint(tmp_path / "nan.safetensors", "caesar")
    metrics = tmp_path / "m.jsonl"
    run = rnnplay("train", "--resume", ckpt, "--steps", "10", "--log-every", "5", "--eval-every", "1",
                  "--json", "--metrics", str(metrics))
    events = [strict(line) for line in run.stdout.splitlines() + metrics.read_text().splitlines()]
    assert any(e["event"] == "eval" and e["loss"] is None for e in events)
    assert events[-1]["event"] == "finished" and events[-1]["reason"] == "diverged"
    assert run.returncode == 1


def test_columns_zero_still_shows_the_run_on_a_terminal():
    import os
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "train", "--preset", "hello-rnncell-lesson",
                             "--device", "cpu"], stdin=follower, stdout=follower, stderr=follower,
                            env={**os.environ, "COLUMNS": "0", "LINES": "0", "TERM": "xterm"})
    os.close(follower)
    output = read_terminal(leader)
    assert proc.wait(timeout=60) == 0
    assert b"finished: completed at step 15" in output


@pytest.mark.parametrize("field, value", [("cell", "\x1b]0;pwned\x07" + "x" * 100_000), ("device", "\u202e" * 50_000),
                                          ("corpus", 12345), ("steps", "\x1b[2J" * 1000), ("dropout", "\r" * 500)])
def test_config_errors_quote_values_safely_and_briefly(field, value):
    from engine import ConfigError, TrainConfig

    with pytest.raises(ConfigError) as info:
        TrainConfig().replace(**{field: value})
    message = str(info.value)
    assert message.startswith(f"{field}: ") and len(message) < 250
    assert message.isprintable() and "\x1b" not in message and "\u202e" not in message


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
