"""Data-parallel throughput: `rnnplay train --nproc N` for N = 1, 2, ... on this machine (real torchrun
launches), the same per-process batch each time (so the global batch grows with N, as --nproc does).

The figure is the run's own chars/s over its last three quarters of logged steps (torch start-up,
process-group set-up and the first steps left out), the median of `repeats` runs, beside the load
average when the runs began: on a shared 2-core machine, 2 processes cannot beat one process by much.
`--device cuda` measures one process per GPU (N at most the GPU count).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from benchmarks.common import emit, log, machine, median


def rate(stdout: str) -> float:
    """Steps per second between the first kept log point and the last (training time, evaluation out)."""
    steps = [e for e in map(json.loads, stdout.splitlines()) if e["event"] == "step"]
    first, last = steps[len(steps) // 4], steps[-1]
    seconds = last["elapsed"] - first["elapsed"]
    return (last["step"] - first["step"]) / seconds if seconds > 0 else float("nan")


def one_run(args, nproc: int) -> dict:
    command = [sys.executable, "-m", "engine.cli", "train", "--preset", args.preset, "--steps", str(args.steps),
               "--batch-size", str(args.batch), "--log-every", "10", "--eval-every", str(10 * args.steps),
               "--device", args.device, "--threads", "1", "--json"]
    if nproc > 1:
        command += ["--nproc", str(nproc)]
    load = os.getloadavg()[0]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=1800,
                          env={**os.environ, "OMP_NUM_THREADS": "1"})
    wall = time.perf_counter() - began
    if done.returncode:
        raise SystemExit(f"--nproc {nproc} failed: {done.stderr[-500:]}")
    events = [json.loads(line) for line in done.stdout.splitlines()]
    length = events[0]["config"]["length"]
    steps_per_s = rate(done.stdout)
    return {"steps_per_s": steps_per_s, "chars_per_s": steps_per_s * args.batch * nproc * length,
            "wall_s": wall, "load_average": load}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks distributed", description=__doc__)
    parser.add_argument("--preset", default="caesar")
    parser.add_argument("--batch", type=int, default=64, help="per-process batch (default 64)")
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--processes", default="1,2", help="process counts to measure (default 1,2)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    base = None
    for nproc in (int(n) for n in args.processes.split(",")):
        runs = []
        for _ in range(args.repeats):
            log(f"distributed: --nproc {nproc} ...")
            runs.append(one_run(args, nproc))
        chars = median(r["chars_per_s"] for r in runs)
        base = chars if base is None else base
        emit("distributed", nproc=nproc, device=args.device, preset=args.preset, batch_per_process=args.batch,
             global_batch=args.batch * nproc, steps=args.steps, chars_per_s=chars,
             steps_per_s=median(r["steps_per_s"] for r in runs), speedup=chars / base,
             wall_s=median(r["wall_s"] for r in runs), load_average=[r["load_average"] for r in runs],
             machine=machine())
