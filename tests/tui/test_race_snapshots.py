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
from tui.messages import ContestantCreated, TrainingEvents

ECHO = presets.get("echo").replace(steps=600)
# Held-out accuracy per contestant at step s: nn.RNN stays near chance, LSTM gets there first, GRU later.
CURVES = {"rnn": lambda s: 0.14 + 0.1 * (1 - math.exp(-s / 150)),
          "lstm": lambda s: min(0.995, 0.14 + 0.86 * (s / 300) ** 2),
          "gru": lambda s: min(0.992, 0.14 + 0.85 * (s / 420) ** 2)}
PARAMETERS = {"rnn": 19_993, "lstm": 76_057, "gru": 57_369}


class RecordedTrainer:
    """A contestant as the views need it: run_id, step, config and predict()."""

    def __init__(self, config) -> None:
        self.config, self.run_id, self.step = config, f"race-{config.cell}", 0

    def predict(self, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        return text


def recorded_events(trainers, last_step: int) -> tuple:
    events: list = [RunStarted(t.run_id, "cpu", PARAMETERS[t.config.cell], t.config.to_dict(), 0, ())
                    for t in trainers]
    for step in range(25, last_step + 1, 25):
        for trainer in trainers:
            accuracy = CURVES[trainer.config.cell](step)
            loss = 2.1 * (1 - accuracy) + 0.02
            events.append(StepLogged(trainer.run_id, step, loss, 9000.0, step / 50))
            events.append(Evaluated(trainer.run_id, step, loss, accuracy, None,
                                    (Sample("ABCDEFGH", "--ABCDEF", "--ABCDEF"),)))
            trainer.step = step
    return tuple(events)


def mid_race(last_step: int = 350, chosen: int = 0):
    """Start a race whose thread is replaced by recorded events, as the race thread would post them."""

    async def run_before(pilot) -> None:
        app = pilot.app
        await pilot.pause()  # Setup's first focus lands before the race's tab is shown
        app.run_race = lambda race, configs: None  # no training thread: the events below are the race
        configs = contestants(ECHO, ["rnn", "lstm", "gru"])
        app.start_race(configs)
        race = app.runs.race
        trainers = [RecordedTrainer(config) for config in configs]
        for index, trainer in enumerate(trainers):
            app.post_message(ContestantCreated(race, index, trainer))
        app.post_message(TrainingEvents(recorded_events(trainers, last_step)))
        await pilot.pause()
        app.select_run(race.contestants[chosen].run)
        await pilot.pause()
        app.refresh_text()
        app.refresh_plot(force=True)
        await pilot.pause()

    return run_before


def test_race_view_mid_race_80x24(snap_compare):
    assert snap_compare(make_app("echo", devices=DEVICES), terminal_size=(80, 24), run_before=mid_race())


def test_race_view_mid_race_120x40(snap_compare):
    assert snap_compare(make_app("echo", devices=DEVICES), terminal_size=(120, 40), run_before=mid_race(450, 1))


def test_race_view_without_colour_120x40(snap_compare, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app("echo", devices=DEVICES), terminal_size=(120, 40), run_before=mid_race(450, 1))
