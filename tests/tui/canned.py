"""Recorded runs for the screens' tests: fake trainers and canned engine events, so every frame is the same
(no training). A single caesar or completion run (`feed`) and a race of echo contestants (`mid_race`)."""

from __future__ import annotations

import math

from tui_helpers import settled, wait_for

from engine import presets
from engine.events import Evaluated, RunFinished, RunStarted, Sample, StepLogged
from engine.racing import contestants
from tui.reports import ContestantCreated, TrainerCreated, TrainingEvents

PLAIN = ["THIS-IS-A-SECRET-MESSAGE-FOR-YOU", "ATTACK-AT-DAWN-BRING-THE-CANNONS-", "THE-QUICK-BROWN-FOX-JUMPS-OVER-IT"]


class FakeTrainer:
    """Stands in for engine.Trainer: the views only need run_id, step, config and predict()."""

    run_id = "canned01"
    step = 400
    config = presets.get("caesar")

    def predict(self, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        return text


def garble(text: str, wrong_every: int) -> str:
    return "".join("X" if wrong_every and i % wrong_every == 0 else ch for i, ch in enumerate(text))


def canned_events(trainer: FakeTrainer, finished: bool = False) -> tuple:
    from engine.tasks.caesar import encrypt

    config = trainer.config.to_dict()
    shapes = ("input ids (64, 32) -> embedding (64, 32, 16)", "LSTM output (64, 32, 64), h0/h_n (1, 64, 64) x2 (h, c)",
              "Linear(64, 27) -> logits (64, 32, 27)")
    events: list = [RunStarted(trainer.run_id, "cpu", 23179, config, 0, shapes)]
    last = 400 if finished else 250
    for step in range(10, last + 1, 10):
        events.append(StepLogged(trainer.run_id, step, 3.3 * math.exp(-step / 60) + 0.01, 41000.0, step / 40))
        if step % 50 == 0:
            wrong = max(0, 5 - step // 50)
            samples = tuple(Sample(encrypt(p[:32]), p[:32], garble(p[:32], wrong)) for p in PLAIN)
            accuracy = 1.0 - (1 / wrong if wrong else 0.0)
            events.append(Evaluated(trainer.run_id, step, 3.3 * math.exp(-step / 60), accuracy, None, samples))
    if finished:
        events.append(RunFinished(trainer.run_id, 400, "completed", {"loss": 0.02}, 10.0))
    return tuple(events)


# A corpus as people have them (a byte-order mark, CRLF and LF line ends, tabs) and as an attacker
# writes one (a window-title sequence, a screen clear, a bare CR, a right-to-left override).
CORPUS = ("\ufeffFirst Citizen:\r\nBefore we proceed any further,\thear me speak.\n\nAll:\n"
          "Speak, \x1b]0;pwned\x07speak.\x1b[2J\r\u202eevil\n\nFirst Citizen:\nYou are all resolved rather "
          "to die than to famish?\n")


class FakeCompletionTrainer(FakeTrainer):
    run_id = "canned02"
    config = presets.get("completion")


def completion_events(trainer: FakeTrainer) -> tuple:
    """A completion run on CORPUS: its samples carry every line break and escape sequence of the file."""
    config = {**trainer.config.to_dict(), "corpus": "hostile\x1b[2J.txt", "steps": 150}
    events: list = [RunStarted(trainer.run_id, "cpu", 316034, config, 0, ("input ids (32, 64)",))]
    for step in range(10, 151, 10):
        events.append(StepLogged(trainer.run_id, step, 3.6 * math.exp(-step / 100) + 1.5, 16000.0, step / 8))
        if step % 50 == 0:
            samples = tuple(Sample(CORPUS[i:i + 32], CORPUS[i:i + 80], CORPUS[i:i + 32 + step // 10] + "the the\r\n")
                            for i in (0, 40, 70))
            events.append(Evaluated(trainer.run_id, step, 3.6 * math.exp(-step / 100) + 1.6, None, 3.2, samples))
    return tuple(events)


def feed(finished: bool, tab: str = "train", completion: bool = False):
    async def run_before(pilot) -> None:
        app = pilot.app
        trainer = FakeCompletionTrainer() if completion else FakeTrainer()
        app.report(TrainerCreated(trainer))
        events = completion_events(trainer) if completion else canned_events(trainer, finished)
        app.report(TrainingEvents(events))
        last = events[-1].step
        state = lambda: app.session.selected.state  # noqa: E731
        await wait_for(pilot, lambda: state().run_id == trainer.run_id and state().step == last
                       and (state().status == "finished") == finished, timeout=60)
        app.action_show_tab(tab)
        await wait_for(pilot, lambda: app.tab == tab, timeout=60)
        app.refresh_text()
        app.refresh_plot(force=True)
        await settled(pilot)  # the finished run's "Run completed" toast is mounted before the screenshot

    return run_before


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
        await wait_for(pilot, lambda: all(c.run.state.step == last_step for c in race.contestants), timeout=60)
        app.session.select(race.contestants[chosen].run)
        await wait_for(pilot, lambda: app.tab == "race", timeout=60)
        app.refresh_text()
        app.refresh_plot(force=True)
        await settled(pilot)

    return run_before
