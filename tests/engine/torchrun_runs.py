"""Several `rnnplay train` runs, one after another, in the same torchrun workers (a test helper).

Each run is what `rnnplay train --nproc N` runs in each of its workers: engine.cli.main.main(["train", ...])
in a rank joined to the process group; here the group is joined once for all the runs, so a test pays
for one torchrun launch (seconds on a busy machine) instead of one per run.

    python -m torch.distributed.run --standalone --nproc-per-node N -m tests.engine.torchrun_runs PLAN.json

PLAN.json is a list of steps: the arguments of one `rnnplay train`, or ["strip", SRC, DST]: rank 0
copies the checkpoint SRC to DST without the other ranks' dropout streams (what a checkpoint saved by
one process holds). Rank 0 prints {"run": i, "status": s} on stdout after each step.
"""

from __future__ import annotations

import json
import sys

from engine.cli import main as cli
from engine.distributed import data_parallel


def strip_peers(source: str, target: str) -> None:
    from safetensors import safe_open
    from safetensors.torch import save_file

    with safe_open(source, framework="pt", device="cpu") as f:
        kept = {k: f.get_tensor(k) for k in f.keys() if not k.endswith("_peers")}
        save_file(kept, target, metadata=f.metadata())


def main(plan_path: str) -> int:
    with open(plan_path) as f:
        plan = json.load(f)
    world = data_parallel.join()
    leave, data_parallel.leave = data_parallel.leave, lambda: None  # one group for every run of the plan
    try:
        for index, step in enumerate(plan):
            status = 0
            if step[0] == "strip":
                # rank 0 alone; the next run's first collective (its output check) waits for it
                if world.leader:
                    strip_peers(step[1], step[2])
            else:
                status = cli.main(["train", *step])
            if world.leader:
                print(json.dumps({"run": index, "status": status}), flush=True)
    finally:
        leave()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
