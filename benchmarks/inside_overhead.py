"""How much the Inside view slows training: steps/s with the app showing Inside / steps/s without.

The variant of tui_overhead.py for issue 14: the app trains the preset with the Inside view shown
and TEXT typed in it, so every published snapshot asks for a new inspection (the pane looks at most
once a second and keeps inspecting under 3 % of the time). Each run with the app sits between two
runs without it and is divided by their mean; the median ratio is printed as one JSON line, with how
many inspections were drawn per run. Target: >= 0.9.

    python benchmarks/inside_overhead.py [--preset caesar] [--steps 1000] [--repeats 3] [--text ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.tui_overhead import alternate, without_app  # noqa: E402

TEXT = "GUR-DHVPX-OEBJA-SBK-WHZCF-BIRE-GUR-YNML-QBT-NAQ-ERFGF-VA-GUR-FHA"


async def _with_inside(preset: str, steps: int, text: str) -> tuple[float, int]:
    from tui.app import make_app
    from tui.widgets.inside_pane import InsidePane

    app = make_app(preset, device="cpu", devices=[("cpu", "CPU")])
    async with app.run_test(headless=True, size=(120, 40)) as pilot:
        app.query_one("ConfigPane").set_value("steps", str(steps))
        await pilot.pause(0.2)
        await pilot.press("f5")
        await pilot.press("ctrl+n")
        app.query_one("#inside-input").value = text
        while app.state.status != "finished":
            await asyncio.sleep(0.25)
        finished, answers = app.state.finished, app.query_one(InsidePane).answers
    if finished.reason != "completed":
        raise SystemExit(f"the app's run ended {finished.reason}: {finished.message}")
    return finished.step / finished.elapsed, answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="caesar")
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--text", default=TEXT)
    args = parser.parse_args()
    import torch

    if args.threads:
        torch.set_num_threads(args.threads)
    without_app(args.preset, 20)  # warm up: torch import, allocator, first kernels
    figures = alternate(lambda: without_app(args.preset, args.steps),
                        lambda: asyncio.run(_with_inside(args.preset, args.steps, args.text)), args.repeats,
                        "inspections_per_run")
    print(json.dumps({"benchmark": "inside_overhead", "preset": args.preset, "steps": args.steps,
                      "repeats": args.repeats, "threads": torch.get_num_threads(), "text_length": len(args.text),
                      **figures}))


if __name__ == "__main__":
    main()
