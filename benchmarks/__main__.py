"""python -m benchmarks [--threads N] [NAME [args...]]: run every benchmark, or one with its own arguments."""

from __future__ import annotations

import argparse
import importlib
import sys
import time

from benchmarks import NAMES
from benchmarks.common import log, positive


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--threads", type=positive(int), default=None,
                        help="torch intra-op threads (default: torch's choice, one per core)")
    parser.add_argument("name", nargs="?", choices=NAMES, help="run only this benchmark")
    # everything after a benchmark's name is its own (its --help included)
    at = next((i for i, arg in enumerate(argv) if arg in NAMES), len(argv) - 1)
    args, rest = parser.parse_args(argv[: at + 1]), argv[at + 1:]
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    start = time.perf_counter()
    for name in [args.name] if args.name else NAMES:
        log(f"{name} ...")
        importlib.import_module(f"benchmarks.{name}").main(rest if args.name else [])
    log(f"done in {time.perf_counter() - start:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
