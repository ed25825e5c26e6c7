"""How much the running TUI slows a race: steps/s with the app (headless, Race view shown, plot live) /
steps/s of the same race without it.

Both come from the race's own results (each contestant timed only while it runs, model building
excluded): total steps / total seconds over the contestants. Each race with the app sits between two
races without it and is divided by their mean, so that a shared machine's drift cancels; the median
of these ratios is printed as one JSON line. Target: >= 0.9, as for a single run (tui_overhead.py).

    python benchmarks/tui_race_overhead.py [--preset echo] [--cells rnn,lstm,gru] [--steps 200] [--repeats 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import engine  # noqa: E402
from benchmarks.tui_overhead import alternate  # noqa: E402
from engine.racing import contestants  # noqa: E402


def rate(results) -> float:
    return sum(r["steps"] for r in results) / sum(r["seconds"] for r in results)


def configs(preset: str, cells: list[str], steps: int) -> list:
    return contestants(engine.presets.get(preset).replace(steps=steps, device="cpu"), cells)


def without_app(preset: str, cells: list[str], steps: int) -> float:
    *_, finished = engine.race(configs(preset, cells, steps))
    return rate(finished.results)


async def _with_app(preset: str, cells: list[str], steps: int, threads: int) -> tuple[float, int]:
    from tui.app import make_app
    from tui.widgets.race_pane import RacePlot

    draws = 0
    render = RacePlot.render

    def counting_render(self):
        nonlocal draws
        draws += 1
        return render(self)

    RacePlot.render = counting_render
    try:
        app = make_app(preset, device="cpu", devices=[("cpu", "CPU")], threads=threads or None)
        async with app.run_test(headless=True, size=(120, 40)) as pilot:
            await pilot.pause(0.2)
            app.start_race(configs(preset, cells, steps))  # what ctrl+r and the dialog's Race do
            while app.runs.race is None or not app.runs.race.finished:
                await asyncio.sleep(0.25)  # the race times itself: polling slowly only spares the UI
            results = [c.result for c in app.runs.race.contestants]
    finally:
        RacePlot.render = render
    return rate(results), draws


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="echo")
    parser.add_argument("--cells", default="rnn,lstm,gru")
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    cells = args.cells.split(",")
    without_app(args.preset, cells, 10)  # warm up: torch import, allocator, first kernels
    figures = alternate(lambda: without_app(args.preset, cells, args.steps),
                        lambda: asyncio.run(_with_app(args.preset, cells, args.steps, args.threads)), args.repeats,
                        "plot_redraws_per_race")
    print(json.dumps({"benchmark": "tui_race_overhead", "preset": args.preset, "cells": cells,
                      "steps": args.steps, "repeats": args.repeats, "threads": torch.get_num_threads(), **figures}))


if __name__ == "__main__":
    main()
