"""`rnnplay train --nproc N`: real torchrun launches of real worker processes on CPU with gloo.

The equivalence the feature promises: N processes with --batch-size B train on exactly the data one
process trains on with --batch-size N*B, so their losses agree up to the order of float sums
(DistributedDataParallel averages gradients across ranks; one process sums over the whole batch).
Tolerance: every logged loss within 1e-3 relative over 12 Adam steps (measured gap: ~1e-5), while
one process on half the data (the same per-rank batch, no sharing) differs by far more.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest

from engine.distributed.launch import train_argv
from tests.engine.cli_helpers import one_error_line, rnnplay, start

RUN = ("train", "--task", "caesar", "--steps", "12", "--log-every", "1", "--seed", "5", "--hidden", "32",
       "--length", "16", "--json", "--threads", "1")
RTOL = 1e-3


def losses(stdout: str) -> list[float]:
    events = [json.loads(line) for line in stdout.splitlines()]
    finished = [e for e in events if e["event"] == "finished"]
    assert len(finished) == 1 and finished[0]["reason"] == "completed", events[-1]
    return [e["loss"] for e in events if e["event"] == "step"]


def one_process(batch_size: int) -> list[float]:
    """The same run as RUN in this process (what `rnnplay train` without --nproc does)."""
    import engine
    from engine.events import StepLogged

    config = engine.presets.get("caesar").replace(steps=12, log_every=1, seed=5, hidden=32, length=16,
                                                 batch_size=batch_size)
    return [e.loss for e in engine.Trainer(config).run() if isinstance(e, StepLogged)]


def close(a: list[float], b: list[float], rtol: float) -> bool:
    return len(a) == len(b) and all(abs(x - y) <= rtol * abs(y) for x, y in zip(a, b, strict=True))


def test_two_processes_follow_one_process_with_the_same_global_batch_and_save_once(tmp_path):
    ckpt, metrics = tmp_path / "two.safetensors", tmp_path / "two.jsonl"
    two = rnnplay(*RUN, "--batch-size", "4", "--nproc", "2", "--save", str(ckpt), "--metrics", str(metrics))
    assert two.returncode == 0, two.stderr[-2000:]
    assert two.stderr == ""  # torchrun's own log lines are kept back
    trajectory, reference = losses(two.stdout), one_process(batch_size=8)
    assert len(trajectory) == 12 and close(trajectory, reference, RTOL), (trajectory, reference)
    assert not close(one_process(batch_size=4), reference, 10 * RTOL)  # the comparison can fail
    started = json.loads(two.stdout.splitlines()[0])
    assert started["config"]["batch_size"] == 4  # the per-process batch, as given
    # rank 0 alone wrote: one run in the metrics, one started event on stdout
    written = [json.loads(line) for line in metrics.read_text().splitlines()]
    assert [e["event"] for e in written].count("started") == 1 and written[-1]["event"] == "finished"
    assert two.stdout.count('"event": "started"') == 1
    # the checkpoint loads in one process and continues where the pair stopped
    import engine

    model = engine.load(str(ckpt))
    assert model.step == 12 and model.config.batch_size == 4 and len(model.predict("URYYB")) == 5


def test_an_unwritable_output_is_one_line_before_any_step_and_every_rank_leaves(tmp_path):
    began = time.monotonic()
    run = rnnplay(*RUN, "--nproc", "2", "--save", str(tmp_path / "missing" / "m.safetensors"))
    assert run.returncode == 2
    one_error_line(run.stderr)
    assert "--save" in run.stderr and run.stdout == ""
    # nobody waited on a rank that had left (that wait is data_parallel.TIMEOUT, 10 min): 120 s, the helper's
    # own deadline, leaves a busy machine room for three processes to import torch
    assert time.monotonic() - began < 120


def test_a_setting_one_rank_cannot_use_stops_every_rank_with_one_line(tmp_path):
    """The mapping lesson trains on one pair: two processes cannot share one row. Refused on rank 0,
    after the group formed; the other rank leaves without a word (no hang, no second line)."""
    run = rnnplay("train", "--preset", "hello", "--steps", "2", "--nproc", "2", "--json")
    assert run.returncode == 2
    assert "--nproc" in one_error_line(run.stderr) and "1 rows" in run.stderr


@pytest.mark.parametrize("value", ["0", "-1", "two", "257"])
def test_a_bad_process_count_is_one_line(value):
    run = rnnplay("train", "--nproc", value)
    assert run.returncode == 2 and "process count" in one_error_line(run.stderr)


def test_more_gpu_processes_than_gpus_is_one_line_before_torchrun_starts(monkeypatch, capsys):
    """torchrun runs one process per GPU: `--nproc 2 --device cuda` on a one-GPU machine is refused up front,
    naming the GPU count and what is accepted (without this, rank 1 died asking for cuda:1)."""
    import torch

    from engine.cli import main as cli
    from engine.distributed import launch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    monkeypatch.setattr("engine.devices.available", lambda: [type("D", (), {"name": n})() for n in ("cpu", "cuda:0")])
    monkeypatch.setattr(launch, "launch", lambda *a: pytest.fail("torchrun started"))
    for device in ("cuda", "auto"):
        assert cli.main(["train", "--preset", "caesar", "--nproc", "2", "--device", device]) == 2
        line = one_error_line(capsys.readouterr().err)
        assert "--nproc 2 on the GPU" in line and "has 1" in line and "--device cpu" in line
    with pytest.raises(BaseException, match="torchrun started"):  # two CPU processes are fine
        cli.main(["train", "--preset", "caesar", "--nproc", "2", "--device", "cpu"])


def test_sigterm_stops_every_rank_after_its_step_and_rank_0_saves(tmp_path):
    ckpt = tmp_path / "stopped.safetensors"
    proc = start(*RUN[:4], "100000", *RUN[5:], "--nproc", "2", "--save", str(ckpt),
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:  # training is under way on both ranks
        if '"event": "step"' in line:
            break
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 143, err[-2000:]
    assert '"reason": "stopped"' in out and "Traceback" not in err
    assert ckpt.stat().st_size > 0 and rnnplay("predict", str(ckpt), "A").returncode == 0


def test_the_workers_get_trains_own_arguments_without_nproc():
    assert train_argv(["train", "--nproc", "2", "--steps", "3"]) == ["--steps", "3"]
    assert train_argv(["train", "--steps", "3", "--nproc=4", "--json"]) == ["--steps", "3", "--json"]


def test_a_killed_rank_ends_the_run_with_one_line_and_rank_0_keeps_the_model(tmp_path):
    """SIGKILL (the OOM killer, say) on rank 1: rank 0 says so in one line, saves, and nobody hangs."""
    import os

    ckpt = tmp_path / "kept.safetensors"
    proc = start(*RUN[:4], "100000", *RUN[5:], "--nproc", "2", "--save", str(ckpt),
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:
        if '"event": "step"' in line:
            break
    rank_1 = [pid for pid in os.listdir("/proc") if pid.isdigit() and _is_rank_1_of(int(pid), str(ckpt))]
    assert len(rank_1) == 1
    os.kill(int(rank_1[0]), signal.SIGKILL)
    out, err = proc.communicate(timeout=90)
    finished = json.loads([line for line in out.splitlines() if '"event": "finished"' in line][0])
    assert finished["reason"] == "failed" and "lost contact" in finished["message"], finished
    assert proc.returncode != 0 and "Traceback" not in err
    assert ckpt.exists(), (proc.returncode, out[-1000:], err[-2000:])


def _is_rank_1_of(pid: int, ckpt: str) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            if ckpt.encode() not in f.read():
                return False
        with open(f"/proc/{pid}/environ", "rb") as f:
            return b"RANK=1" in f.read().split(b"\0")
    except OSError:
        return False
