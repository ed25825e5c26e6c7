"""Exact resume under `rnnplay train --nproc N`: every rank's dropout stream is saved and given back.

Each rank draws dropout masks from its own stream (seed + rank). A run with dropout saved at step k by
two processes and resumed by two must repeat the uninterrupted two-process run bit for bit on CPU,
which needs rank 1's stream as much as rank 0's. The two-process runs share one torchrun launch
(tests/engine/torchrun_runs.py: the same main.main each worker of `--nproc 2` runs, one run after
another), and the SIGTERM case is a real `rnnplay train --nproc 2` launch stopped by a signal.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
import torch

import engine
from tests.engine.cli_helpers import one_error_line, start

RUN = ["--task", "caesar", "--hidden", "32", "--length", "16", "--batch-size", "4", "--seed", "5",
       "--dropout", "0.2", "--log-every", "1", "--threads", "1", "--json"]
STEPS, SAVED_AT = 6, 3
NOTE = "rnnplay: note: --resume: "


def step_losses(path) -> list[tuple[int, float]]:
    events = [json.loads(line) for line in open(path)]
    assert events[-1]["event"] == "finished" and events[-1]["reason"] == "completed", events[-1]
    return [(e["step"], e["loss"]) for e in events if e["event"] == "step"]


def one_process_checkpoint(path) -> str:
    """RUN's model trained SAVED_AT steps by one process (what `rnnplay train --save` without --nproc writes)."""
    config = engine.presets.get("caesar").replace(hidden=32, length=16, batch_size=4, seed=5, dropout=0.2,
                                                  steps=SAVED_AT, log_every=1)
    trainer = engine.Trainer(config)
    list(trainer.run())
    trainer.save(str(path))
    return str(path)


def rng_tensors(path) -> dict[str, torch.Tensor]:
    from safetensors import safe_open

    with safe_open(str(path), framework="pt", device="cpu") as f:
        return {k: f.get_tensor(k) for k in f.keys() if "rng" in k}


@pytest.fixture(scope="module")
def stopped(tmp_path_factory):
    """A `--nproc 2 --dropout 0.2` run stopped by SIGTERM while training: (process, stdout, stderr, checkpoint)."""
    ckpt = tmp_path_factory.mktemp("stopped") / "stopped.safetensors"
    proc = start("train", *RUN, "--steps", "100000", "--nproc", "2", "--save", str(ckpt),
                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:  # both ranks are training
        if '"event": "step"' in line:
            break
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=90)
    return proc, out, err, ckpt


@pytest.fixture(scope="module")
def pair(tmp_path_factory, stopped):
    """One torchrun launch of two workers running, in order: the uninterrupted run, the run saved at
    SAVED_AT, its resume, its resume without rank 1's stream, a resume of a one-process checkpoint and a
    resume of the SIGTERM-stopped run. Returns (folder, stdout, stderr)."""
    folder = tmp_path_factory.mktemp("pair")
    saved, bare = str(folder / "saved.safetensors"), str(folder / "bare.safetensors")
    single = one_process_checkpoint(folder / "single.safetensors")
    plan = [[*RUN, "--steps", str(STEPS), "--metrics", str(folder / "whole.jsonl")],
            [*RUN, "--steps", str(SAVED_AT), "--save", saved, "--metrics", str(folder / "first.jsonl")],
            ["--resume", saved, "--steps", str(STEPS - SAVED_AT), "--json", "--metrics", str(folder / "rest.jsonl")],
            ["strip", saved, bare],
            ["--resume", bare, "--steps", str(STEPS - SAVED_AT), "--json", "--metrics", str(folder / "bare.jsonl")],
            ["--resume", single, "--steps", "2", "--json", "--metrics", str(folder / "single.jsonl")],
            ["--resume", str(stopped[3]), "--steps", "2", "--json", "--metrics", str(folder / "stopped.jsonl")]]
    (folder / "plan.json").write_text(json.dumps(plan))
    launch = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2",
                             "-m", "tests.engine.torchrun_runs", str(folder / "plan.json")],
                            capture_output=True, text=True, timeout=180,
                            env={**os.environ, "OMP_NUM_THREADS": "1", "LOGLEVEL": "CRITICAL"})
    assert launch.returncode == 0, launch.stderr[-3000:]
    statuses = [json.loads(line) for line in launch.stdout.splitlines() if line.startswith('{"run"')]
    assert [s["status"] for s in statuses] == [0] * len(plan), launch.stderr[-3000:]
    return folder, launch.stdout, launch.stderr


def test_two_processes_resumed_by_two_repeat_the_uninterrupted_run_bit_for_bit(pair):
    folder, _, stderr = pair
    whole = step_losses(folder / "whole.jsonl")
    assert step_losses(folder / "first.jsonl") == whole[:SAVED_AT]
    assert step_losses(folder / "rest.jsonl") == whole[SAVED_AT:]  # floats compared exactly
    # the comparison can fail: with rank 1's saved stream left out, rank 1 draws other masks
    assert [s for s, _ in step_losses(folder / "bare.jsonl")] == [s for s, _ in whole[SAVED_AT:]]
    assert step_losses(folder / "bare.jsonl") != whole[SAVED_AT:]
    assert "Traceback" not in stderr and "terminate called" not in stderr


def test_the_checkpoint_holds_each_ranks_stream_as_plain_tensors(pair):
    folder, _, _ = pair
    saved = rng_tensors(folder / "saved.safetensors")
    assert saved["dropout_rng"].dtype == saved["dropout_rng_peers"].dtype == torch.uint8
    assert saved["dropout_rng_peers"].shape == (1, saved["dropout_rng"].numel())
    assert not torch.equal(saved["dropout_rng_peers"][0], saved["dropout_rng"])  # two streams, not one twice
    # each rank restores its own: rank 0 the first stream, rank 1 of a two-process resume row 0 of the peers
    trainer = engine.Trainer.resume(str(folder / "saved.safetensors"))
    assert torch.equal(trainer.dropout_rng.cpu_state, saved["dropout_rng"])
    trainer.dropout_rng.restore({k: v for k, v in saved.items() if k.startswith("dropout")}, rank=1, size=2)
    assert torch.equal(trainer.dropout_rng.cpu_state, saved["dropout_rng_peers"][0])
    assert trainer.dropout_rng.note is None  # the process count that saved it: nothing to say


def test_a_one_process_checkpoint_resumes_under_two_with_one_note(pair):
    """Rank 1 has no saved stream: it starts afresh from the seed (seed + rank), and rank 0 says so once."""
    folder, _, stderr = pair
    assert [s for s, _ in step_losses(folder / "single.jsonl")] == [SAVED_AT + 1, SAVED_AT + 2]
    notes = [line for line in stderr.splitlines() if line.startswith(NOTE)]
    assert len(notes) == 2  # this resume and the stripped one: one line each, from rank 0 alone
    assert all("1 process and this run has 2 processes: rank 1 starts afresh" in line for line in notes), notes


def test_sigterm_during_a_two_process_dropout_run_saves_every_stream_and_the_run_goes_on(stopped, pair):
    proc, out, err, ckpt = stopped
    assert proc.returncode == 143, err[-2000:]
    assert '"reason": "stopped"' in out and "Traceback" not in err and "terminate called" not in err
    assert rng_tensors(ckpt)["dropout_rng_peers"].shape[0] == 1
    at = engine.load(str(ckpt)).step
    rest = step_losses(pair[0] / "stopped.jsonl")
    assert [s for s, _ in rest] == [at + 1, at + 2] and all(0 < loss < 10 for _, loss in rest)


def test_a_two_process_checkpoint_resumes_in_one_process_with_one_note(pair, capsys):
    from engine.cli import main as cli

    folder = pair[0]
    metrics = folder / "alone.jsonl"
    assert cli.main(["train", "--resume", str(folder / "saved.safetensors"), "--steps", "2", "--json",
                     "--metrics", str(metrics)]) == 0
    err = capsys.readouterr().err
    assert err.startswith(NOTE) and err.count("\n") == 1, err
    assert "2 processes and this run has 1 process: the stream of rank 1 is set aside" in err
    assert [s for s, _ in step_losses(metrics)] == [SAVED_AT + 1, SAVED_AT + 2]


def u8(*shape) -> torch.Tensor:
    return torch.zeros(shape, dtype=torch.uint8)


@pytest.mark.parametrize("change, problem", [
    (lambda t: t.update(dropout_rng_peers=t["dropout_rng_peers"].float()), "F32 [1, 5056]; expected U8 rows"),
    (lambda t: t.update(dropout_rng_peers=t["dropout_rng_peers"][0]), "U8 [5056]; expected U8 rows"),
    (lambda t: t.update(dropout_rng_peers=u8(0, 5056)), "0 states; accepted: 1 to 255"),
    (lambda t: t.update(dropout_rng_peers=u8(256, 5056)), "256 states; accepted: 1 to 255"),
    (lambda t: t.update(dropout_rng_peers=u8(1, 7)), "states of 7 bytes where rank 0's 'dropout_rng' has 5056"),
    (lambda t: t.pop("dropout_rng"), "rank 0's 'dropout_rng' is missing"),
    (lambda t: t.update(dropout_rng_cuda=u8(16), dropout_rng_cuda_peers=u8(2, 16)),
     "2 states where 'dropout_rng_peers' has 1"),
    (lambda t: t.update(dropout_rng_cuda_peers=u8(1, 16)), "rank 0's 'dropout_rng_cuda' is missing"),
    (lambda t: (t.pop("dropout_rng_peers"), t.update(dropout_rng_cuda=u8(16), dropout_rng_cuda_peers=u8(1, 16))),
     "where 'dropout_rng_peers' has no"),
])
def test_a_crafted_table_of_rank_streams_is_one_line_and_exit_2(pair, tmp_path, capsys, change, problem):
    """Edited from the real two-process checkpoint: wrong dtype, shape, count or size, each refused
    before anything is restored, by resume, load and the command line alike."""
    from safetensors import safe_open
    from safetensors.torch import save_file

    from engine.cli import main as cli

    with safe_open(str(pair[0] / "saved.safetensors"), framework="pt", device="cpu") as f:
        tensors, meta = {k: f.get_tensor(k) for k in f.keys()}, f.metadata()
    change(tensors)
    path = str(tmp_path / "crafted.safetensors")
    save_file(tensors, path, metadata=meta)
    for attempt in (engine.Trainer.resume, engine.load):
        with pytest.raises(engine.CheckpointError) as info:
            attempt(path)
        assert problem in str(info.value) and "\n" not in str(info.value), str(info.value)
    assert cli.main(["train", "--resume", path, "--steps", "1"]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "tensor 'dropout_rng" in line and problem in line
