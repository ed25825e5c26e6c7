"""Cost growth: chars/s and peak memory of engine.Trainer as hidden size, batch and sequence length grow,
for each cell (rnncell, rnn, lstm, gru), plus a check that memory stays flat over a long run.

Each point is a caesar run (embedding 16): the median step time over at least 2 steps (up to ~0.6 s of
them) after one warm-up step; peak memory is
the resident set's high-water mark during those steps (Linux: reset through /proc/self/clear_refs)
minus the resident set just before (freed memory handed back to the system first: glibc's mmap
threshold is pinned at 128 KiB), i.e. what the point itself needed at most, weights included.

    python -m benchmarks cost_growth [--cells lstm,gru] [--flat-steps 100000]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time

from benchmarks.common import emit, log, machine, rss_mib

NEVER = 100_000_000
BASE = dict(hidden=128, batch_size=64, length=32)
SWEEPS = {"hidden": (64, 256, 1024), "batch_size": (1, 32, 1024), "length": (32, 128, 512)}
POINT_SECONDS = 0.6


def _status_kib(field: str) -> float | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return float(line.split()[1])
    except OSError:
        pass
    return None


def _release_freed_memory() -> None:
    """Make freed tensors leave the resident set (glibc keeps them otherwise), so peaks are per point."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 128 * 1024)  # M_MMAP_THRESHOLD fixed at 128 KiB: big blocks are unmapped on free
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def point(cell: str, **shape) -> dict:
    """chars/s and peak extra MiB of a few training steps of `cell` at `shape`."""
    import engine

    cfg = engine.presets.get("caesar").replace(device="cpu", cell=cell, embedding=16, layers=1, steps=NEVER,
                                               log_every=1, eval_every=NEVER, eval_early=False,
                                               **{**BASE, **shape})
    gc.collect()
    _release_freed_memory()
    can_reset = _reset_peak()
    before = rss_mib()
    trainer = engine.Trainer(cfg)
    run = trainer.run()
    next(run)  # started
    times = []
    while len(times) < 3 or (sum(times) < POINT_SECONDS and len(times) < 50):
        t0 = time.perf_counter()
        next(run)  # one step (log_every=1)
        times.append(time.perf_counter() - t0)
    run.close()
    steps, step_s = len(times) - 1, statistics.median(times[1:])  # the first step warms up
    peak = _status_kib("VmHWM")
    extra = (peak / 1024 - before) if (can_reset and peak) else None
    del trainer, run
    rate = cfg.batch_size * cfg.length / step_s
    return {"chars_per_s": round(rate), "peak_extra_mib": round(extra, 1) if extra is not None else None,
            "steps": steps}


def sweep(cells) -> list[dict]:
    rows = []
    point(cells[0], **BASE)  # first-use costs (kernels, allocator pools) are nobody's point
    for cell in cells:
        for field, values in SWEEPS.items():
            for value in values:
                shape = {**BASE, field: value}
                result = point(cell, **shape)
                row = {"cell": cell, "vary": field, **shape, **result}
                log(f"  {cell:7s} {field:10s} hidden {shape['hidden']:5d} batch {shape['batch_size']:5d} "
                    f"length {shape['length']:4d}: {result['chars_per_s']:>10,} chars/s  "
                    f"peak +{result['peak_extra_mib']} MiB")
                rows.append(row)
    return rows


def flat_memory(steps: int) -> dict:
    """RSS after a warm-up fifth of the run and at its end, training the caesar-lesson preset with the
    default reporting (an event every 100 steps, an evaluation every 250) and keeping no events."""
    import engine

    cfg = engine.presets.get("caesar-lesson").replace(device="cpu", steps=steps, log_every=10, eval_every=50)
    trainer = engine.Trainer(cfg)
    warm, marks, start = max(1, steps // 5), {}, time.perf_counter()
    for event in trainer.run():
        if event.kind == "step" and event.step >= warm and "warm" not in marks:
            gc.collect()
            marks["warm"] = (event.step, rss_mib())
    gc.collect()
    marks["end"] = (trainer.step, rss_mib())
    growth = marks["end"][1] - marks["warm"][1]
    log(f"  flat memory: {steps} steps, RSS {marks['warm'][1]:.1f} MiB at step {marks['warm'][0]} -> "
        f"{marks['end'][1]:.1f} MiB at the end ({growth:+.1f} MiB)")
    return {"steps": steps, "seconds": round(time.perf_counter() - start, 1),
            "rss_mib_after_warmup": round(marks["warm"][1], 1), "rss_mib_end": round(marks["end"][1], 1),
            "growth_mib": round(growth, 1), "growth_kib_per_1k_steps":
                round(growth * 1024 / max(1, (marks["end"][0] - marks["warm"][0]) / 1000), 2),
            "flat": abs(growth) < 5.0}


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m benchmarks cost_growth")
    parser.add_argument("--cells", default="rnncell,rnn,lstm,gru")
    parser.add_argument("--flat-steps", type=int, default=5000,
                        help="length of the flat-memory run (default 5000 to keep the suite short; 100000 "
                             "took 209 s on the 2-core CPU with 1 thread)")
    args = parser.parse_args(argv)
    rows = sweep(args.cells.split(","))
    flat = flat_memory(args.flat_steps)
    return emit("cost_growth", device="cpu", base=BASE, points=rows, flat_memory=flat, machine=machine(),
                load_average=os.getloadavg())


if __name__ == "__main__":
    main()
