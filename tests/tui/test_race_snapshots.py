"""Snapshots of the Race view mid-race, from recorded events (no training: every screen is the same).

Update after an intended change with `pytest tests/tui/test_race_snapshots.py --snapshot-update`
and review the SVGs.
"""

from __future__ import annotations

import math

from tui_helpers import DEVICES

from engine import presets
from engine.events import Evaluated, RunStarted, Sample, StepLogged
from engine.racing import contestants
from tui.app import make_app
from tui.reports import ContestantCreated, TrainingEvents

ECHO = presets.get("echo").replace(steps=600)
# Held-out accuracy per contestant at step s: nn.RNN stays near chance, LSTM gets there first, GRU later.
CURVES = {"rnncell": lambda s: 0.14 + 0.08 * (1 - math.exp(-s / 200)),
          "rnn": lambda s: 0.14 + 0.1 * (1 - math.exp(-s / 150)),
          "lstm": lambda s: min(0.995, 0.14 + 0.86 * (s / 300) ** 2),
          "gru": lambda s: min(0.992, 0.14 + 0.85 * (s / 420) ** 2)}
PARAMETERS = {"rnncell": 19_993, "rnn": 19_993, "lstm": 76_057, "gru": 57_369}


class RecordedTrainer:
    """A contestant as the views need it: run_id, step, config and predict()."""

    def __init__(self, config) -> None:
        self.config, self.run_id, self.step = config, f"race-{config.cell}-{config.seed}", 0

    def predict(self, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        return text


def recorded_events(trainers, last_step: int) -> tuple:
    events: list = [RunStarted(t.run_id, "cpu", PARAMETERS[t.config.cell], t.config.to_dict(), 0, ())
                    for t in trainers]
    for step in range(25, last_step + 1, 25):
        for trainer in trainers:
            accuracy = CURVES[trainer.config.cell](step * (1 + 0.1 * trainer.config.seed))
            loss = 2.1 * (1 - accuracy) + 0.02
            events.append(StepLogged(trainer.run_id, step, loss, 9000.0, step / 50))
            events.append(Evaluated(trainer.run_id, step, loss, accuracy, None,
                                    (Sample("ABCDEFGH", "--ABCDEF", "--ABCDEF"),)))
            trainer.step = step
    return tuple(events)


def mid_race(last_step: int = 350, chosen: int = 0, cells=("rnn", "lstm", "gru"), seeds=(0,)):
    """Start a race whose thread is replaced by recorded events, as the race thread would post them."""

    async def run_before(pilot) -> None:
        app = pilot.app
        await pilot.pause()  # Setup's first focus lands before the race's tab is shown
        app.session.start_thread = lambda *thread: None  # no training thread: the events below are the race
        configs = contestants(ECHO, cells, seeds)
        app.session.start_race(configs)
        race = app.session.runs.race
        trainers = [RecordedTrainer(config) for config in configs]
        for index, trainer in enumerate(trainers):
            app.report(ContestantCreated(race, index, trainer))
        app.report(TrainingEvents(recorded_events(trainers, last_step)))
        await pilot.pause()
        app.session.select(race.contestants[chosen].run)
        await pilot.pause()
        app.refresh_text()
        app.refresh_plot(force=True)
        await pilot.pause()

    return run_before


def test_race_view_mid_race_80x24(snap_compare):
    assert snap_compare(make_app("echo", devices=DEVICES), terminal_size=(80, 24), run_before=mid_race())


def test_race_view_mid_race_120x40(snap_compare):
    assert snap_compare(make_app("echo", devices=DEVICES), terminal_size=(120, 40), run_before=mid_race(450, 1))


def test_race_view_with_eight_contestants_80x24(snap_compare):
    """The most the dialog allows: the legend wraps between entries and every row and column shows."""
    race = mid_race(350, 5, cells=("rnncell", "rnn", "lstm", "gru"), seeds=(0, 1))
    assert snap_compare(make_app("echo", devices=DEVICES), terminal_size=(80, 24), run_before=race)


def test_race_view_without_colour_120x40(snap_compare, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app("echo", devices=DEVICES), terminal_size=(120, 40), run_before=mid_race(450, 1))


async def test_eight_contestants_fit_80x24_with_every_legend_entry_whole():
    """The legend was the plot's one-line title: at 80 columns it cut the fourth contestant on."""
    from textual.widgets import DataTable, Static

    app = make_app("echo", devices=DEVICES)
    async with app.run_test(size=(80, 24)) as pilot:
        await mid_race(350, 0, cells=("rnncell", "rnn", "lstm", "gru"), seeds=(0, 1))(pilot)
        legend = str(app.query_one("#race-legend", Static).render()).splitlines()
        assert len(legend) == 2 and all(len(line) <= 80 for line in legend)
        entries = [c.label for c in app.session.runs.race.contestants]
        assert all(sum(label in line for line in legend) == 1 for label in entries)  # never broken
        table = app.query_one("#race-table", DataTable)
        assert table.row_count == 8 and table.virtual_size.width <= table.size.width  # no column cut off
        assert table.size.height == 9 and app.query_one("#race-plot").size.height >= 8
        assert len(str(app.query_one("#race-heading", Static).render())) < 80


def test_the_longest_heading_is_one_line_at_80_columns():
    from tui.runs import Contestant, Race, Run
    from tui.widgets.race_pane import heading

    run = Run("rnncell seed 0")
    run.state.config = {"task": "completion"}
    race = Race([Contestant(run, "rnncell", 0)], 0.99, finished=True)
    line = str(heading(race, None))
    assert line.startswith("✓ race over  completion  target 99%") and line.endswith("ctrl+r: new race")
    assert len(line) <= 79


async def test_a_new_race_replaces_the_legend():
    from textual.widgets import Static

    app = make_app("echo", devices=DEVICES)
    async with app.run_test(size=(80, 24)) as pilot:
        await mid_race()(pilot)
        await mid_race(100, 0, cells=("lstm",), seeds=(4,))(pilot)
        assert str(app.query_one("#race-legend", Static).render()) == "accuracy by step:  • lstm seed 4"
