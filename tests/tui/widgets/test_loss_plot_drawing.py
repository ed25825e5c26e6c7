"""Snapshots of a branch drawn over its parent's curve, from recorded events (no training: every screen
is the same). Update after an intended change with
`pytest tests/tui/widgets/test_loss_plot_drawing.py --snapshot-update` and review the SVGs."""

from __future__ import annotations

import math

from tui_helpers import DEVICES, settled, wait_for

from engine import presets
from engine.events import Evaluated, RunStarted, Sample, StepLogged
from engine.loss_history import LossHistory
from tui import branch_curve
from tui.app import make_app
from tui.reports import TrainerCreated, TrainingEvents
from tui.run_state import RunState

CONFIG = presets.get("caesar").replace(lr=0.001, steps=400)
PARENT = {"checkpoint": "caesar-step200.safetensors", "run_id": "parent01", "step": 200,
          "changed": {"lr": [0.01, 0.001], "steps": [200, 400]}}


class BranchTrainer:
    """The branch as the views need it: run_id, step, config and predict()."""

    run_id, step, config = "branch01", 200, CONFIG

    def predict(self, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        return text


class LoadedParent:
    """What a loaded checkpoint gives the views: its logged losses, no parent of its own."""

    parent = origin = None
    history = LossHistory([(step, 3.3 * math.exp(-step / 60) + 0.75) for step in range(10, 201, 10)])


def branch_events() -> tuple:
    shapes = ("input ids (64, 32) -> embedding (64, 32, 16)",)
    events: list = [RunStarted("branch01", "cpu", 23179, CONFIG.to_dict(), 200, shapes, "fp32", PARENT)]
    for step in range(210, 331, 10):
        loss = 0.3 + 0.57 * math.exp(-(step - 200) / 50)
        events.append(StepLogged("branch01", step, loss, 41000.0, (step - 200) / 40))
        if step % 50 == 0:
            events.append(Evaluated("branch01", step, loss + 0.05, 1.2 - loss, None,
                                    (Sample("GUR-DHVPX", "THE-QUICK", "THE-QUICK"),)))
    return tuple(events)


async def branched(pilot) -> None:
    app = pilot.app
    state = RunState(status="finished", run_id="parent01", config=CONFIG.replace(lr=0.01, steps=200).to_dict(),
                     total_steps=200, step=200)
    branch_curve.loaded(state, LoadedParent())
    app.session.selected.state = state
    app.report(TrainerCreated(BranchTrainer()))
    app.report(TrainingEvents(branch_events()))
    await wait_for(pilot, lambda: app.session.selected.state.run_id == "branch01"
                   and app.session.selected.state.step == 330, timeout=60)
    app.action_show_tab("train")
    await wait_for(pilot, lambda: app.tab == "train", timeout=60)
    app.refresh_text()
    app.refresh_plot(force=True)
    await settled(pilot)


def test_a_branch_over_its_parent_80x24(snap_compare):
    assert snap_compare(make_app("caesar", devices=DEVICES), terminal_size=(80, 24), run_before=branched)


def test_a_branch_over_its_parent_120x40(snap_compare):
    assert snap_compare(make_app("caesar", devices=DEVICES), terminal_size=(120, 40), run_before=branched)
