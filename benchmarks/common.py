"""Helpers the benchmarks share: timing, the corpus path, memory figures, the JSON line."""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

from engine import corpora

REPO = Path(__file__).resolve().parent.parent
CORPUS_ENV = "RNNPLAY_CORPUS"
DEFAULT_CORPUS = corpora.resolve("shakespeare")  # the built-in corpus, shipped inside the package


def corpus_path() -> Path | None:
    """tinyshakespeare, the built-in corpus (or $RNNPLAY_CORPUS); None when the file is absent."""
    path = Path(os.environ.get(CORPUS_ENV, DEFAULT_CORPUS))
    return path if path.is_file() else None


def synthetic_corpus(path: Path, chars: int = 400_000, seed: int = 0) -> Path:
    """A text file of pseudo-words, for speed figures when the real corpus is absent."""
    import random

    rng = random.Random(seed)
    words = ["".join(rng.choice("etaoinshrdlucmfwyp") for _ in range(rng.randint(1, 8))) for _ in range(2000)]
    out, size = [], 0
    while size < chars:
        line = " ".join(rng.choice(words) for _ in range(rng.randint(3, 12))).capitalize() + ".\n"
        out.append(line)
        size += len(line)
    path.write_text("".join(out), encoding="utf-8")
    return path


def machine() -> dict:
    import torch

    return {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count(),
            "threads": torch.get_num_threads(), "torch": torch.__version__, "python": platform.python_version()}


def median(values) -> float:
    return statistics.median(values)


def rss_mib() -> float:
    """Current resident set size in MiB (Linux /proc; falls back to the peak)."""
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        return peak_rss_mib()


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def emit(name: str, **figures) -> dict:
    """Print one JSON line: {"benchmark": name, ...figures}."""
    line = {"benchmark": name, **figures}
    print(json.dumps(line, default=_plain), flush=True)
    return line


def skip(name: str, reason: str) -> dict:
    return emit(name, skipped=reason)


def _plain(value):
    if isinstance(value, float):
        return round(value, 4)
    return str(value)


def rounded(value: float, digits: int = 4) -> float:
    return float(f"{value:.{digits}g}")


class Clock:
    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start


def positive(kind):
    """An argparse type: a finite number above zero of `kind` (int or float)."""
    import argparse
    import math

    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            value = None
        if value is None or not math.isfinite(value) or value <= 0:
            what = "whole number" if kind is int else "number"
            raise argparse.ArgumentTypeError(f"{text!r} is not accepted; give a {what} above 0")
        return value

    return parse


def log(*parts) -> None:
    """Progress for people, on stderr so stdout stays JSON lines."""
    print(*parts, file=sys.stderr, flush=True)
