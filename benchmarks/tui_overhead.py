"""How much the running TUI slows training: steps/s with the app (headless, plot live) / steps/s without.

Both measure the same preset and step count from the run's own RunFinished.elapsed (model building
excluded). Each run with the app sits between two runs without it, and is divided by their mean, so
that a shared machine's drift in speed cancels; the median of these ratios is printed as one JSON
line. Target: >= 0.9.

    python benchmarks/tui_overhead.py [--preset caesar] [--steps 1000] [--repeats 5] [--threads 1]

--threads sets torch's intra-op threads for both measurements (0 keeps torch's default). One is the
default because on a shared 2-core machine two OpenMP threads can slow small models tenfold
whenever another process runs, which would swamp the figure being measured.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import engine  # noqa: E402
from engine.events import RunFinished  # noqa: E402


def without_app(preset: str, steps: int) -> float:
    from engine.training import Trainer

    trainer = Trainer(engine.presets.get(preset).replace(steps=steps, device="cpu"))
    finished = [e for e in trainer.run() if isinstance(e, RunFinished)][0]
    return finished.step / finished.elapsed


async def _with_app(preset: str, steps: int) -> tuple[float, int]:
    from tui.app import make_app
    from tui.widgets.loss_plot import LossPlot

    draws = 0
    render = LossPlot.render

    def counting_render(self):
        nonlocal draws
        draws += 1
        return render(self)

    LossPlot.render = counting_render
    try:
        app = make_app(preset, device="cpu", devices=[("cpu", "CPU")])
        async with app.run_test(headless=True, size=(120, 40)) as pilot:
            app.query_one("ConfigPane").set_value("steps", str(steps))
            await pilot.pause(0.2)
            await pilot.press("f5")
            while app.state.status != "finished":
                await asyncio.sleep(0.25)  # the run times itself: polling slowly only spares the UI
            finished = app.state.finished
    finally:
        LossPlot.render = render
    if finished.reason != "completed":
        raise SystemExit(f"the app's run ended {finished.reason}: {finished.message}")
    return finished.step / finished.elapsed, draws


def alternate(without, with_app, repeats: int, counted: str) -> dict:
    """Each run with the app sits between two without it and is divided by their mean, so that a shared
    machine's drift cancels. `with_app()` returns (steps/s, a count to report under `counted`)."""
    started = time.perf_counter()
    base, rates, counts = [without()], [], []
    for _ in range(repeats):
        rate, count = with_app()
        rates.append(rate)
        counts.append(count)
        base.append(without())
    ratios = [rate / ((a + b) / 2) for rate, a, b in zip(rates, base[:-1], base[1:], strict=True)]
    return {"steps_per_s_without_app": round(statistics.median(base), 1),
            "steps_per_s_with_app": round(statistics.median(rates), 1), counted: counts,
            "ratios": [round(r, 3) for r in ratios], "ratio": round(statistics.median(ratios), 3), "target": 0.9,
            "seconds": round(time.perf_counter() - started, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="caesar")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    without_app(args.preset, 20)  # warm up: torch import, allocator, first kernels
    figures = alternate(lambda: without_app(args.preset, args.steps),
                        lambda: asyncio.run(_with_app(args.preset, args.steps)), args.repeats, "plot_redraws_per_run")
    print(json.dumps({"benchmark": "tui_overhead", "preset": args.preset, "steps": args.steps,
                      "repeats": args.repeats, "threads": torch.get_num_threads(), **figures}))


if __name__ == "__main__":
    main()
