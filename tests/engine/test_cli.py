import json
import subprocess
import sys

import pytest

from engine.cli import main


def rnnplay(*args):
    return subprocess.run([sys.executable, "-m", "engine.cli", *args], capture_output=True, text=True, timeout=120)


def test_encrypt_and_decrypt(capsys):
    assert main(["encrypt", "this is a secret"]) == 0
    assert capsys.readouterr().out == "FUVEMVEMNMERPDRF\n"
    assert main(["decrypt", "FUVEMVEMNMERPDRF", "--key", "13"]) == 0
    assert capsys.readouterr().out == "THIS-IS-A-SECRET\n"


def test_presets_lists_every_preset_with_task_and_cell(capsys):
    assert main(["presets"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 10 and lines[0].split()[:3] == ["caesar", "caesar", "lstm"]


@pytest.mark.parametrize("argv, words", [
    (["encrypt", "x", "--key", "40"], "--key: 40 is out of range"),
    (["train", "--cell", "lsmt"], "did you mean 'lstm'"),
    (["train", "--preset", "nope"], "no preset 'nope'"),
    (["train", "--steps", "many"], "invalid int value"),
    (["train", "--device", "cuda:7"], "not available on this machine"),
    (["train", "--task", "mapping", "--pairs", "abc:ab"], "equal length"),
    (["predict", "/no/such.safetensors", "x"], "no such file"),
    (["frobnicate"], "invalid choice"),
    (["train", "--preset", "a\nb"], "no preset 'a\\nb'"),
    (["encrypt", "x", "y\nz"], "unrecognized arguments: y\\nz"),
])
def test_usage_errors_exit_2_with_one_line(capsys, argv, words):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1 and err.startswith("rnnplay: error:")


def test_train_json_then_predict(tmp_path):
    ckpt, metrics = tmp_path / "c.safetensors", tmp_path / "m.jsonl"
    run = rnnplay("train", "--preset", "caesar", "--steps", "60", "--eval-every", "30", "--device", "cpu",
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


def test_ctrl_c_stops_cleanly_saves_and_exits_130(tmp_path):
    import signal
    import time

    ckpt = tmp_path / "c.safetensors"
    proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "train", "--steps", "1000000", "--json",
                             "--log-every", "1", "--device", "cpu", "--save", str(ckpt)],
                            stdout=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if json.loads(line)["event"] == "step":
            break
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    rest = proc.stdout.read().splitlines()
    assert proc.wait(timeout=30) == 130
    finished = [json.loads(line) for line in rest if '"finished"' in line]
    assert finished[0]["reason"] == "stopped"
    assert ckpt.exists()
