"""Exact resume from the command line: a run stopped with Ctrl-C (it saves), then `--resume`d, prints
the same losses, bit for bit, as the same command never interrupted."""

from __future__ import annotations

import json
import signal
import subprocess

from tests.engine.cli_helpers import rnnplay, start

RUN = ("train", "--task", "caesar", "--steps", "60", "--log-every", "1", "--seed", "3", "--length", "12",
       "--batch-size", "8", "--hidden", "24", "--layers", "2", "--dropout", "0.2", "--schedule", "cosine",
       "--warmup", "0.2", "--json", "--threads", "1")


def step_losses(lines) -> dict[int, float]:
    events = [json.loads(line) for line in lines if line.strip()]
    return {e["step"]: e["loss"] for e in events if e["event"] == "step"}


def test_ctrl_c_then_resume_prints_the_uninterrupted_losses(tmp_path):
    ckpt = tmp_path / "run.safetensors"
    proc = start(*RUN, "--save", str(ckpt), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if '"step": 5,' in line and '"event": "step"' in line:
            proc.send_signal(signal.SIGINT)
            break
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    before = step_losses(seen + out.splitlines())
    stopped_at = max(before)
    assert 5 <= stopped_at < 60
    resumed = rnnplay("train", "--resume", str(ckpt), "--json", "--threads", "1")
    assert resumed.returncode == 0, resumed.stderr
    whole = rnnplay(*RUN)
    assert whole.returncode == 0, whole.stderr
    expected = step_losses(whole.stdout.splitlines())
    after = step_losses(resumed.stdout.splitlines())
    assert sorted(after) == list(range(stopped_at + 1, 61))
    assert after == {step: loss for step, loss in expected.items() if step > stopped_at}
    assert {s: before[s] for s in before} == {s: expected[s] for s in before}
