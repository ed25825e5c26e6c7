"""Stopping `rnnplay train` early never loses the model: signals and closed pipes stop, save, and exit quietly."""

from __future__ import annotations

import json
import signal
import subprocess

import pytest
from cli_helpers import start

import engine

LONG_RUN = ("train", "--steps", "1000000", "--json", "--log-every", "1", "--device", "cpu")


def first_step(proc) -> None:
    for line in proc.stdout:
        if json.loads(line)["event"] == "step":
            return
    raise AssertionError("the run printed no step")


@pytest.mark.parametrize("signum, status", [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_a_signal_stops_after_the_step_saves_and_exits_with_its_status(tmp_path, signum, status):
    ckpt = tmp_path / "c.safetensors"
    proc = start(*LONG_RUN, "--save", str(ckpt), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first_step(proc)
    proc.send_signal(signum)
    rest, err = proc.communicate(timeout=60)
    assert proc.returncode == status, err
    events = [json.loads(line) for line in rest.splitlines()]
    finished = [e for e in events if e["event"] == "finished"]
    assert finished[0]["reason"] == "stopped" and events[-1] == {"event": "note", "message": f"saved {ckpt}"}
    assert engine.load(str(ckpt)).step == finished[0]["step"] > 0
    assert err == ""


def test_a_closed_stdout_stops_the_run_saves_and_exits_quietly(tmp_path):
    ckpt = tmp_path / "c.safetensors"
    proc = start(*LONG_RUN, "--save", str(ckpt), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()  # `rnnplay train --json | head -1`
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141 and err == ""
    assert 0 < engine.load(str(ckpt)).step < 1000000


def closed_early(*args) -> tuple[int, str]:
    """Run rnnplay with a stdout pipe whose reader is gone before it writes a byte."""
    proc = start(*args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    return proc.wait(timeout=60), err


def test_presets_into_a_closed_pipe_exits_quietly():
    assert closed_early("presets") == (141, "")


def test_predict_into_a_closed_pipe_exits_quietly(tmp_path):
    trainer = engine.Trainer(engine.presets.get("hello").replace(device="cpu", steps=1))
    trainer.save(str(tmp_path / "h.safetensors"))
    assert closed_early("predict", str(tmp_path / "h.safetensors"), "hello") == (141, "")


def test_a_metrics_run_into_a_closed_pipe_keeps_its_metrics(tmp_path):
    metrics = tmp_path / "m.jsonl"
    status, err = closed_early("train", "--preset", "hello", "--steps", "3", "--device", "cpu",
                               "--metrics", str(metrics))
    assert (status, err) == (141, "")
    assert json.loads(metrics.read_text().splitlines()[-1])["event"] == "finished"


def test_a_terminal_that_hangs_up_mid_run_still_gets_its_model_saved(tmp_path):
    """The progress bar's terminal goes away (reads and writes fail with EIO) and SIGHUP arrives."""
    import os
    import pty

    ckpt = tmp_path / "c.safetensors"
    leader, follower = pty.openpty()
    proc = start("train", "--steps", "1000000", "--device", "cpu", "--save", str(ckpt),
                 stdin=follower, stdout=follower, stderr=follower, env={"TERM": "xterm", "COLUMNS": "80"})
    os.close(follower)
    seen = b""
    while b"chars/s" not in seen:  # the progress bar shows steps
        seen += os.read(leader, 4096)
    os.close(leader)
    proc.send_signal(signal.SIGHUP)
    assert proc.wait(timeout=60) == 129
    assert engine.load(str(ckpt)).step > 0


@pytest.mark.parametrize("redirect", [">&-", ">/dev/full"])
def test_a_closed_or_full_stdout_is_one_line_not_a_traceback(redirect):
    import os
    import subprocess
    import sys

    if redirect == ">/dev/full" and not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    run = subprocess.run(["sh", "-c", f"exec {sys.executable} -m engine.cli presets {redirect}"],
                         stderr=subprocess.PIPE, text=True, timeout=60)
    assert "Traceback" not in run.stderr
    if redirect == ">&-":  # nobody reads the output: nothing to say
        assert run.returncode == 0 and run.stderr == ""
    else:
        assert run.returncode == 2 and run.stderr.startswith("rnnplay: error: cannot write the output")
        assert run.stderr.count("\n") == 1


@pytest.mark.skipif(not __import__("os").path.exists("/dev/full"), reason="no /dev/full here")
def test_a_full_stdout_says_so_once_and_the_run_trains_on_and_saves(tmp_path):
    """`nohup rnnplay train ... > log` on a disk that fills: the run is worth more than its progress lines."""
    import sys

    ckpt = tmp_path / "c.safetensors"
    run = subprocess.run(["sh", "-c", f"exec {sys.executable} -m engine.cli train --preset caesar --steps 60 "
                                      f"--device cpu --save {ckpt} >/dev/full"],
                         stderr=subprocess.PIPE, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("rnnplay: warning: cannot write the progress")
    assert engine.load(str(ckpt)).step == 60  # all of it trained, none of it lost


@pytest.mark.parametrize("second", [signal.SIGINT, signal.SIGTERM])
def test_a_second_signal_during_the_final_save_waits_for_the_model_to_be_written(tmp_path, second):
    """Ctrl-C pressed twice, or `docker stop` after a Ctrl-C: the first stops the run, the second must not
    cancel the save that keeps it. A big model makes the save last long enough to be hit."""
    ckpt = tmp_path / "big.safetensors"
    proc = start("train", "--task", "caesar", "--hidden", "1024", "--layers", "2", "--batch-size", "1",
                 "--length", "4", "--steps", "1000000", "--json", "--log-every", "1", "--device", "cpu",
                 "--save", str(ckpt), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    first_step(proc)
    proc.send_signal(signal.SIGINT)
    for line in proc.stdout:  # the run has stopped and the save begins right after this line
        if json.loads(line)["event"] == "finished":
            proc.send_signal(second)
            break
    rest, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert rest.strip().endswith(f'"saved {ckpt}"}}') and err == ""
    assert engine.load(str(ckpt)).step > 0
