"""What `rnnplay predict` and `rnnplay inspect` cost beyond importing torch and reading the checkpoint.

Each command runs as a user runs it, in a fresh interpreter, beside a baseline interpreter that only
imports torch (and safetensors) and reads the same file's tensors and metadata. The figure is the
median CPU time (user + system, of the child process alone, so another process on the machine does not
count) of each, and the difference: the engine's own start-up cost. Target: at most 0.3 CPU-seconds.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile

from benchmarks.common import emit, log, median, positive
from engine import presets

TARGET_S = 0.3
BASELINE = ("import sys, torch\nfrom safetensors import safe_open\n"
            "with safe_open(sys.argv[1], framework='pt', device='cpu') as f:\n"
            "    f.metadata(); [f.get_tensor(k) for k in f.keys()]")


def cpu_seconds(command: list[str]) -> float:
    """The CPU seconds (user + system) `command` takes, measured on the child alone."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command[:4])} ... exited {done.returncode}: {done.stderr[-300:]}")
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def checkpoint(folder: str, preset: str) -> str:
    path = os.path.join(folder, f"{preset}.safetensors")
    rnnplay = [sys.executable, "-m", "engine.cli"]
    subprocess.run([*rnnplay, "train", "--preset", preset, "--steps", "20", "--device", "cpu", "--save", path],
                   check=True, capture_output=True, timeout=600)
    return path


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks predict_cost", description=__doc__)
    parser.add_argument("--repeats", type=positive(int), default=5)
    parser.add_argument("--preset", default="caesar", choices=presets.names(),
                        help="the checkpoint's preset (default caesar)")
    args = parser.parse_args(argv)
    rnnplay = [sys.executable, "-m", "engine.cli"]
    with tempfile.TemporaryDirectory() as folder:
        path = checkpoint(folder, args.preset)
        commands = {"baseline": [sys.executable, "-c", BASELINE, path],
                    "predict": [*rnnplay, "predict", path, "hello"],
                    "inspect": [*rnnplay, "inspect", path, "hello"]}
        runs = {name: [] for name in commands}
        for _ in range(args.repeats):  # interleaved, so a change in the machine's load touches every side alike
            for name, command in commands.items():
                runs[name].append(cpu_seconds(command))
    medians = {name: round(median(times), 3) for name, times in runs.items()}
    extra = {name: round(medians[name] - medians["baseline"], 3) for name in ("predict", "inspect")}
    log(f"  baseline {medians['baseline']} CPU-s; beyond it: predict {extra['predict']}, inspect {extra['inspect']}")
    return emit("predict_cost", preset=args.preset, cpu_seconds=medians, beyond_baseline_s=extra, target_s=TARGET_S,
                met=all(v <= TARGET_S for v in extra.values()), repeats=args.repeats, load_average=os.getloadavg())


if __name__ == "__main__":
    main()
