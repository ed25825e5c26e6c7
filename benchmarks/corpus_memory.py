"""Corpus start-up cost: peak memory and time to build a completion Trainer on a large generated corpus.

Each measurement runs in a fresh process that first builds a trainer on the small built-in corpus
(imports and first-use allocations), so the peak resident set size (ru_maxrss) after that belongs to
the large corpus; the figure reported is that peak minus the process's size just before, as a
multiple of the file's size, and the seconds the trainer took to build. `ascii` text takes the byte path; `unicode` text
(accents, dashes and quotes every few words) takes the UTF-8 decoding path.

    python -m benchmarks.corpus_memory                       # 150 MiB, ascii and unicode
    python -m benchmarks.corpus_memory --mib 100 --kinds unicode
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import emit, log, machine

TARGET = 3.0  # the bound: memory within about 3x the file
EXTRA = {"ascii": [], "unicode": ["café", "naïve", "—", "“quoted”", "Straße", "œuvre", "日本"]}


def generate(path: Path, mib: int, kind: str, seed: int = 0) -> int:
    """A `mib` MiB text file of pseudo-words, written block by block (no whole-file string)."""
    rng = random.Random(seed)
    words = ["".join(rng.choice("etaoinshrdlucmfwyp") for _ in range(rng.randint(1, 8))) for _ in range(3000)]
    words += EXTRA[kind] * 40
    blocks = [(" ".join(rng.choice(words) for _ in range(200_000)) + ".\n").encode() for _ in range(4)]
    target = mib * 2**20
    with open(path, "wb") as f:
        while f.tell() < target:
            f.write(blocks[rng.randrange(len(blocks))][: target - f.tell()])
    return os.path.getsize(path)


CHILD = """
import json, resource, sys, time
import engine, torch
from benchmarks.common import rss_mib
def build(corpus):
    cfg = engine.presets.get("completion").replace(device="cpu", corpus=corpus, hidden=32, embedding=8)
    return engine.Trainer(cfg)
build("shakespeare")  # warm up: lazy imports and first-use allocations are not the corpus's cost
before = rss_mib()
start = time.perf_counter()
trainer = build(sys.argv[1])
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"before_mib": before, "peak_mib": peak, "after_mib": rss_mib(), "seconds": seconds,
                  "chars": trainer.task.train_data.numel() + trainer.task.held.numel(),
                  "vocab": len(trainer.vocab), "id_bytes": trainer.task.train_data.element_size()}))
"""


def measure(path: Path) -> dict:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, env=env,
                          cwd=Path(__file__).resolve().parent.parent, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.splitlines()[-1])


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.corpus_memory")
    parser.add_argument("--mib", type=int, default=150, help="size of the generated corpus (default 150)")
    parser.add_argument("--kinds", default="ascii,unicode", help="ascii, unicode or both (default)")
    args = parser.parse_args(argv)
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for kind in args.kinds.split(","):
            path = Path(folder) / f"{kind}.txt"
            size = generate(path, args.mib, kind)
            log(f"  {kind}: {size / 2**20:.0f} MiB generated; building a trainer ...")
            figures = measure(path)
            grown = figures["peak_mib"] - figures["before_mib"]
            runs.append({"kind": kind, "file_mib": round(size / 2**20, 1), **figures,
                         "peak_over_file": round(grown / (size / 2**20), 2)})
            path.unlink()
    return emit("corpus_memory", target=TARGET, worst_peak_over_file=max(r["peak_over_file"] for r in runs),
                runs=runs, machine=machine())


if __name__ == "__main__":
    main()
