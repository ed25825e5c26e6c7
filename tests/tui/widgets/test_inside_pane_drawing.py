"""Snapshots of the Inside view at 80x24 and 120x40, and without colour, on a fixed model (the caesar
preset's seeded, untrained weights: the same numbers on every machine).

Update after an intended change with `pytest tests/tui --snapshot-update` and review the SVGs.
"""

from __future__ import annotations

import torch
from tui_helpers import DEVICES, settled, wait_for

from engine import presets
from engine.training import Trainer
from tui.app import make_app
from tui.reports import TrainerCreated
from tui.widgets.inside_pane import InsidePane
from tui.widgets.inside_run import InsideRun

CIPHER = "GUR-DHVPX-OEBJA-SBK-WHZCF-BIRE-GUR-YNML-QBT"


def look_inside(text: str, left: int):
    async def run_before(pilot) -> None:
        app = pilot.app
        torch.set_num_threads(1)
        app.report(TrainerCreated(Trainer(presets.get("caesar").replace(device="cpu", precision="fp32"))))
        await pilot.pause()
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: app.focused is app.query_one("#inside-input"))
        field = app.query_one("#inside-input")
        field.cursor_blink = False  # a blinking cursor would make the picture depend on timing
        field.value = text
        pane = app.query_one(InsidePane)
        await wait_for(pilot, lambda: pane.answers > 0 and app.query_one(InsideRun).shown[0] is not None)
        await pilot.press(*["left"] * left)
        await wait_for(pilot, lambda: app.query_one(InsideRun).shown[3] == len(text) - left)
        await settled(pilot)

    return run_before


def test_inside_80x24(snap_compare):
    assert snap_compare(make_app("caesar", devices=DEVICES), terminal_size=(80, 24),
                        run_before=look_inside(CIPHER, 30))


def test_inside_120x40(snap_compare):
    assert snap_compare(make_app("caesar", devices=DEVICES), terminal_size=(120, 40),
                        run_before=look_inside(CIPHER, 5))


def test_inside_without_colour_80x24(snap_compare, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app("caesar", devices=DEVICES), terminal_size=(80, 24),
                        run_before=look_inside(CIPHER[:20], 3))
