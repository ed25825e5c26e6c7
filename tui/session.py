"""The Session: every decision the app makes, in plain Python, so each is testable without a terminal.

It owns the runs (tui/runs.py: the single run that F5 trains and ctrl+o loads into, a race's
contestants), their gates and threads, the race, and the thread count (the engine's one rule). Each
decision acts on an explicit run. What it needs from a screen (a toast, a question, a redraw) it asks
of its Shell, which the App is; tests give it a recording shell instead. Background threads hand their
reports (tui/reports.py) to `Shell.report`, which brings them back to `receive` on the UI thread.
No Textual here (tests/test_architecture.py holds that).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from typing import Any, Protocol

from engine import branches, presets, schedule
from engine.config import SETTINGS, ConfigError, TrainConfig
from engine.devices import choose_threads
from engine.events import RaceFinished, RunFinished, RunStarted
from engine.text import visible
from tui import branch_curve, bridge, reports
from tui.checkpoints import loaded_state, matching_preset, newest_checkpoint
from tui.runs import Contestant, Race, Run, Runs
from tui.threads import start as start_daemon

TARGET = 0.99  # the accuracy contestants race to (engine.racing's default)
Answer = Callable[[Any], Any]


class Shell(Protocol):
    """What the Session asks of the screen (the App; a recording fake in tests)."""

    def notify(self, text: str, *, title: str = "", severity: str = "information",
               timeout: float | None = None) -> None: ...
    def confirm(self, title: str, detail: str, answered: Answer) -> None:
        """Ask to save first, discard or cancel: answered("save" | "discard" | None)."""
    def ask_path(self, title: str, path: str, answered: Answer, text: str = "", reason: str = "") -> None: ...
    def choose_race(self, config: TrainConfig, answered: Answer) -> None:
        """Ask which cells and seeds race: answered((cells, seeds or None) | None)."""
    def explain_bad_settings(self) -> None: ...
    def focus_setting(self, name: str | None) -> None: ...
    def fill_setup(self, config: TrainConfig, preset: str | None) -> None: ...
    def set_setting(self, name: str, value: str) -> None: ...
    def mark_setting(self, name: str, why: str) -> None: ...
    def show_preset(self, preset: str | None) -> None: ...
    def show_view(self, view: str) -> None: ...
    def model_changed(self, model: Any, config: TrainConfig) -> None:
        """Play answers with `model` (None: no weights yet) for the task of `config`."""
    def selected_changed(self) -> None: ...
    def redraw(self, *, now: bool = True, replaced: bool = False) -> None:
        """The runs changed: redraw now, or soon (throttled) for a batch of events; `replaced`: a
        run's state was replaced (a reset, a load), so every pane redraws at once."""
    def report(self, item: Any) -> None:
        """From any thread: deliver `item` to Session.receive on the UI thread."""
    def leave(self, status: int) -> None: ...


class Session:
    def __init__(self, shell: Shell, config: TrainConfig, preset: str | None = None,
                 threads: int | None = None, changes: dict[str, Any] | None = None,
                 loaded_from: str | None = None) -> None:
        self.shell = shell
        self.runs = Runs()
        self.initial_config = config
        self.config: TrainConfig | None = config  # Setup's settings; None while one of them is bad
        self.preset = preset  # the preset Setup shows, if its settings are that preset's
        self.threads = choose_threads(threads)  # every run and load of the app uses it (the engine applies it)
        self.load_changes = changes  # `tui --load CKPT --lr X`: settings for F5 to branch the checkpoint with
        self.loaded_from = loaded_from  # the checkpoint the single run holds, if it came from one
        self.last_checkpoint: str | None = None  # saved or loaded last: the load dialog suggests it
        self.after_save: tuple[Any, Callable[[], Any]] | None = None  # (trainer, what to do once it is saved)
        self.held: list[bridge.RunGate] = []  # gates paused for "Save first": the saved step is the last one
        self.exit_status = 0  # 128 + the signal number when a signal ended the app
        self.random = random.Random()  # F9's new seeds
        self.start_thread = start_daemon  # training, racing, saving and loading run here (tests run them inline)

    # -- what the views and keys ask -------------------------------------------------------------

    @property
    def selected(self) -> Run:
        """The run Play, the views and saving use."""
        return self.runs.selected

    @property
    def busy(self) -> bool:
        """Whether any run (the single run or a race) is training."""
        return any(run.state.training for run in self.runs.items)

    @property
    def can_start(self) -> bool:
        return self.config is not None and not self.busy

    @property
    def can_pause_or_stop(self) -> bool:
        return self.selected.state.status in ("running", "paused") or self.race_beyond_selected() is not None

    @property
    def subtitle(self) -> str:
        """The header's second line: the preset, else the checkpoint the run came from, else custom."""
        if self.preset:
            return self.preset
        return visible(os.path.basename(self.loaded_from), 60) if self.loaded_from else "custom"

    def play_config(self, run: Run) -> TrainConfig:
        """The settings whose task Play asks about for `run`: its model's, else Setup's."""
        return run.model.config if run.model is not None else (self.config or self.initial_config)

    def default_path(self, run: Run) -> str:
        """A name from the preset (or task) and the step: completion-step1500.safetensors; a race's
        contestant adds its cell and seed."""
        trainer = run.trainer
        if trainer is None:
            return f"{self.preset or self.play_config(run).task}.safetensors"
        name = self.preset or trainer.config.task
        if run.race is not None:
            name = f"{name}-{trainer.config.cell}-seed{trainer.config.seed}"
        return f"{name}-step{trainer.step}.safetensors"

    def load_suggestion(self) -> str:
        """The checkpoint last saved or loaded here, else the newest one in this folder, else nothing."""
        if self.last_checkpoint and os.path.isfile(self.last_checkpoint):
            return self.last_checkpoint
        return newest_checkpoint(".")

    def race_beyond_selected(self) -> Race | None:
        return self._race_beyond(self.selected)

    @staticmethod
    def _race_beyond(run: Run) -> Race | None:
        """A contestant's race while it trains on without it (it diverged or failed): F6 and F7
        then pause and stop the race, which the run's own state no longer can."""
        race = run.race
        if race is None or run.state.training or not any(c.run.state.training for c in race.contestants):
            return None
        return race

    # -- Setup -----------------------------------------------------------------------------------

    def set_config(self, config: TrainConfig | None, preset: str | None) -> None:
        """Setup's values changed: a valid config (None while one is bad) and the preset they match."""
        self.config, self.preset = config, preset
        run = self.selected
        if run.model is None and config is not None:
            self.shell.model_changed(None, config)
        self.shell.redraw()

    def pick_preset(self, name: str) -> None:
        """Another preset is another run: the single run's model leaves Play and the views (asking first)."""
        run = self.runs.single()
        self.select(run)

        def switch() -> None:
            if run.model is not None:
                self._stop(run)
                run.drop()
                self.loaded_from = None
                self.shell.redraw(replaced=True)
            self.shell.fill_setup(presets.get(name), name)
            self.shell.model_changed(None, presets.get(name))
            self.shell.redraw()

        if run.unsaved_steps():
            self.shell.show_preset(self.preset)  # the old one until the user says so
            self.confirm_discard(f"switch to {name}", switch)
        else:
            switch()

    # -- the single run --------------------------------------------------------------------------

    def start(self) -> None:
        """F5: train the single run with Setup's settings. It goes on when only how long it runs or how it
        reports changed, or as a branch of a checkpoint just loaded; other settings mean new weights."""
        if self._race_in_the_way():
            return
        run = self.runs.single()
        self.select(run)
        if run.state.training:
            return
        if self.config is None:
            self.shell.explain_bad_settings()
            return
        try:
            trainer = self._continuable(run, self.config)
        except ConfigError as error:  # a branch asked for a precision this device cannot do
            self.shell.notify(visible(error, 300), title="Cannot start", severity="error")
            self.shell.focus_setting(error.field)
            return
        if trainer is None and run.trainer is not None and (self._same_run(run, self.config)
                                                           or branches.can_branch(run.trainer, self.config)):
            self.shell.notify("This run has done all its steps or used its time: raise Steps or Seconds to "
                              "continue it, or F8 for new weights.")
            return
        if trainer is None:  # new settings mean new weights: ask before losing these
            self.confirm_discard("start again with new settings", lambda: self._launch(run, None))
            return
        self._launch(run, trainer)

    def _launch(self, run: Run, trainer: Any) -> None:
        if trainer is None:
            run.drop()
            self.loaded_from = None
        run.state.status = "starting"
        run.state.touch()
        run.started_at_step = trainer.step if trainer is not None else 0
        run.gate = bridge.RunGate()
        self.start_thread("training", bridge.train, self.config, trainer, run.gate, self.shell.report)
        self.shell.show_view("train")
        self.shell.redraw()

    @staticmethod
    def _same_run(run: Run, config: TrainConfig) -> bool:
        """Whether `config` differs from the run's only in what a paused or stopped run may change (how long
        it runs, how it reports: engine.settings.Resume), so the same run goes on with it."""
        old = run.trainer.config.to_dict()
        return all(v == old[k] for k, v in config.to_dict().items() if not SETTINGS[k].resume.while_paused)

    def _continuable(self, run: Run, config: TrainConfig) -> Any:
        """The run's trainer if steps remain and `config` only changes how long it runs, or, for a
        checkpoint just loaded, how it learns from here on (a branch of that checkpoint)."""
        trainer = run.trainer
        if trainer is None or trainer.step >= config.steps:
            return None
        if schedule.out_of_time(config.seconds, trainer.trained_seconds):
            return None
        if branches.can_branch(trainer, config):  # first: a new time budget on a loaded one starts afresh
            branches.retarget(trainer, config)
        elif self._same_run(run, config):
            trainer.config = config
        else:
            return None
        return trainer

    def pause(self, run: Run) -> None:
        """F6: pause or resume `run` (the selected one), or the race it belongs to."""
        race = self._race_beyond(run)
        if race is not None:
            race.gate.resume() if race.gate.paused else race.gate.pause()
            self._set_racing_status(race, "paused" if race.gate.paused else "running")
            return
        if run.gate is None or run.state.status not in ("running", "paused"):
            return
        if run.gate.paused:
            run.gate.resume()
            run.state.status = "running"
        else:
            run.gate.pause()
            run.state.status = "paused"
        run.state.touch()
        self.shell.redraw()

    def stop(self, run: Run) -> None:
        """F7: stop `run` (the selected one; a race's contestant stops the race); F5 continues a single run."""
        race = self._race_beyond(run)
        if race is not None:
            race.gate.cancel()
            self._set_racing_status(race, "stopping")
            return
        self._stop(run)
        self.shell.redraw()

    @staticmethod
    def _stop(run: Run) -> None:
        if not run.state.training:
            return
        if run.gate is not None:
            run.gate.cancel()
        run.state.status = "stopping"
        run.state.touch()

    def _set_racing_status(self, race: Race, status: str) -> None:
        for contestant in race.contestants:
            if contestant.run.state.training:
                contestant.run.state.status = status
                contestant.run.state.touch()
        self.shell.redraw()

    def reset(self, new_seed: bool = False) -> None:
        """F8 (F9 with `new_seed`): discard the single run's weights, asking first if they are unsaved."""
        if self._race_in_the_way():
            return
        run = self.runs.single()
        self.select(run)
        seed = self.random.randrange(1, 1_000_000) if new_seed else None
        self.confirm_discard("discard the weights", lambda: self._reset(run, seed))

    def _reset(self, run: Run, seed: int | None) -> None:
        self._stop(run)
        run.drop()
        self.loaded_from = None
        self.shell.redraw(replaced=True)
        if seed is not None:
            self.shell.set_setting("seed", str(seed))
        self.shell.model_changed(None, self.config or self.initial_config)
        self.shell.notify(f"New weights on the next start (seed {seed})." if seed is not None
                          else "Weights discarded: the next start begins again with the same seed.")
        self.shell.redraw()

    def _race_in_the_way(self) -> bool:
        """A race trains (the single run does not): say so instead of acting on the single run."""
        if self.busy and not self.runs.single().state.training:
            self.shell.notify("A race is training: stop it first (F7 on the Race view).", severity="warning")
            return True
        return False

    # -- the race --------------------------------------------------------------------------------

    def race(self) -> None:
        """ctrl+r: ask which cells and seeds race on Setup's task, then race them."""
        if self.busy:  # one run or one race trains at a time: say which is in the way
            training = "A run is training" if self.runs.single().state.training else "A race is training"
            self.shell.notify(f"{training}: stop it (F7) before starting a race.", title="Cannot race",
                              severity="warning")
            return
        if self.config is None:
            self.shell.explain_bad_settings()
            return
        config = self.config
        self.shell.choose_race(config, lambda choice: choice and self.race_chosen(config, *choice))

    def race_chosen(self, config: TrainConfig, cells: tuple[str, ...], seeds: tuple[int, ...] | None) -> None:
        from engine.racing import contestants

        try:
            configs = contestants(config, cells, seeds or (config.seed,))
        except ConfigError as error:
            self.shell.notify(visible(error, 300), title="Cannot race", severity="error")
            return
        old = [c.run for c in self.runs.race.contestants] if self.runs.race else []
        self.confirm_discard("start a new race", lambda: self.start_race(configs), old)

    def start_race(self, configs: list[TrainConfig]) -> None:
        gate = bridge.RunGate()
        race = Race([], TARGET, gate)
        for config in configs:
            run = Run(f"{config.cell} seed {config.seed}", gate=gate, race=race)
            run.state.status = "starting"
            run.state.config = config.to_dict()  # the heading names the task before the first event
            race.contestants.append(Contestant(run, config.cell, config.seed))
        self.runs.start_race(race)
        self.select(race.contestants[0].run)
        self.start_thread("race", bridge.race, race, configs, self.shell.report)
        self.shell.show_view("race")

    def choose_contestant(self, index: int) -> None:
        """A row of the race's table was chosen: Play and the views show that contestant."""
        race = self.runs.race
        if race is None or not 0 <= index < len(race.contestants):
            return
        contestant = race.contestants[index]
        self.select(contestant.run)
        self.shell.notify(f"Play, Train and Samples now show {visible(contestant.label, 40)}.")

    def select(self, run: Run) -> None:
        """Make `run` the one Play, the views and saving use."""
        if run is self.selected or run not in self.runs.items:
            return
        self.runs.select(run)
        self.shell.model_changed(run.model, self.play_config(run))
        self.shell.selected_changed()

    # -- saving, loading and discarding ----------------------------------------------------------

    def confirm_discard(self, doing: str, then: Callable[[], Any], runs: list[Run] | None = None) -> None:
        """Run `then` now if none of `runs` (the selected run) has unsaved steps, else ask: save first
        (each unsaved run in turn), discard, or cancel."""
        runs = [self.selected] if runs is None else runs
        unsaved = [run for run in runs if run.unsaved_steps()]
        if not unsaved:
            self.held = []  # what was paused to be saved is acted on now (stopped, discarded, replaced)
            then()
            return
        if unsaved == [self.selected]:
            running = " and stop the run" if self.selected.state.training else ""
            title = f"Save the model before you {doing}?"
            steps = unsaved[0].unsaved_steps()
            are = "trained steps are" if steps != 1 else "trained step is"
            detail = f"{steps:,} {are} not saved. {doing.capitalize()}{running} anyway?"
        else:
            names = ", ".join(f"{run.name} ({_steps(run.unsaved_steps())})" for run in unsaved[:4])
            more = " ..." if len(unsaved) > 4 else ""
            them = "them one at a time" if len(unsaved) > 1 else "it"
            title = f"Save the models before you {doing}?"
            detail = (f"Trained steps not saved: {visible(names, 200)}{more}. Save first saves {them}. "
                      f"{doing.capitalize()} anyway?")

        def chosen(choice: str | None) -> None:
            if choice == "discard":
                self.held = []
                then()
            elif choice == "save":
                self._hold(unsaved)  # else it trains on while saved, and the question comes back forever
                self.select(unsaved[0])
                self.ask_save_path(unsaved[0], self.default_path(unsaved[0]),
                                   then=lambda: self.confirm_discard(doing, then, runs))
            else:
                self._go_on()

        self.shell.confirm(title, detail, chosen)

    def _hold(self, runs: list[Run]) -> None:
        """Pause the training runs among `runs` (a race's gate pauses all its contestants) until they are
        acted on, or the save is cancelled (_go_on)."""
        for gate in {run.gate for run in runs if run.gate is not None and run.state.status == "running"}:
            gate.pause()
            self.held.append(gate)
            self._show_paused(gate, True)

    def _go_on(self) -> None:
        """A "Save first" was cancelled: the runs paused for it train on."""
        for gate in self.held:
            gate.resume()
            self._show_paused(gate, False)
        self.held = []

    def _show_paused(self, gate: bridge.RunGate, paused: bool) -> None:
        for run in self.runs.items:
            if run.gate is gate and run.state.status == ("running" if paused else "paused"):
                run.state.status = "paused" if paused else "running"
                run.state.touch()
        self.shell.redraw()

    def save(self, run: Run) -> None:
        """ctrl+s: ask where, then save `run`'s model (the selected run's)."""
        if run.trainer is None:
            self.shell.notify("Nothing to save yet: train (F5) or load (ctrl+o) a model first.",
                              severity="warning")
            return
        self.ask_save_path(run, self.default_path(run))

    def ask_save_path(self, run: Run, path: str, text: str = "", then: Callable[[], Any] | None = None,
                      reason: str = "") -> None:
        """The save dialog. A path that cannot be written is refused before anything is saved, and asked
        again with the reason; `then` runs once the save has succeeded (a failed save discards nothing, and
        asks again: a save that then works goes on)."""
        from engine.storage.output_files import OutputError, check_kind, check_target

        def chosen(choice: str | None) -> None:
            if not choice:
                self._go_on()
                return
            try:
                check_target(choice, "save")
                check_kind(choice, "save", "checkpoint")
            except OutputError as error:  # refused before saving: ask again with what was typed
                self.shell.notify(visible(error, 400), severity="error", timeout=8)
                self.ask_save_path(run, path, text=choice, then=then, reason=str(error))
                return
            self.save_to(run, choice, then)

        self.shell.ask_path("Save the model to", path, chosen, text=text, reason=reason)

    def save_to(self, run: Run, path: str, then: Callable[[], Any] | None = None) -> None:
        """Save `run`'s model to `path` in a thread; `then` runs once it is saved."""
        if run.trainer is None:
            return
        self.after_save = (run.trainer, then) if then is not None else None
        self.start_thread("save", bridge.save, run.trainer, run.gate, path, self.shell.report)

    def load(self) -> None:
        """ctrl+o: ask for a checkpoint to play with or keep training (it replaces the single run's model)."""
        if self._race_in_the_way():
            return
        run = self.runs.single()
        self.select(run)
        if run.state.training:  # a key that does nothing must say why
            self.shell.notify("Stop the run first (F7): loading replaces the model it trains.", severity="warning")
            return
        self.confirm_discard("load another model", lambda: self.ask_load_path(self.load_suggestion()))

    def ask_load_path(self, path: str, text: str = "", reason: str = "") -> None:
        """The load dialog; a checkpoint that cannot be loaded asks again, with the reason and the typed path."""
        self.shell.ask_path("Load a checkpoint from", path, lambda choice: choice and self.load_from(choice),
                            text=text, reason=reason)

    def load_from(self, path: str) -> None:
        """Read `path` in a thread: resumed as a trainer when its data is at hand, else for prediction only."""
        self.start_thread("load", bridge.load, path, (self.config or self.initial_config).device, self.shell.report)

    def quit(self) -> None:
        """ctrl+q: leave, asking first if any run's trained steps are unsaved."""
        self.confirm_discard("quit", self.quit_now, self.runs.items)

    def quit_now(self) -> None:
        """Stop every run and leave; threads still busy are abandoned (the app's main() ends the process)."""
        self.cancel_all()
        self.shell.leave(self.exit_status)

    def cancel_all(self) -> None:
        """The app is going away however it ends: training and race threads are daemons, stop them with it."""
        gates = [run.gate for run in self.runs.items] + [self.runs.race.gate if self.runs.race else None]
        for gate in gates:
            if gate is not None:
                gate.cancel()

    # -- reports from the threads ----------------------------------------------------------------

    def receive(self, report: Any) -> None:
        """A report from a background thread, on the UI thread."""
        handlers = {reports.TrainingEvents: self._events, reports.TrainerCreated: self._trainer_created,
                    reports.ContestantCreated: self._contestant_created, reports.TrainingFailed: self._failed,
                    reports.ModelLoaded: self._loaded, reports.LoadFailed: self._load_failed,
                    reports.Saved: self._saved}
        handlers[type(report)](report)

    def _events(self, report: reports.TrainingEvents) -> None:
        """Each event goes to its own run, by run id; an event whose run was reset or replaced is dropped."""
        for event in report.events:
            if isinstance(event, RaceFinished):
                self._race_finished(event)
                continue
            run = self.runs.for_event(event.run_id)
            if run is None:
                continue
            if isinstance(event, RunStarted):
                branch_curve.started(run.state, event)  # a branch takes the curve so far as its parent's
            run.state.apply(event)
            if isinstance(event, RunStarted):
                run.state.plot_version = run.state.version  # a fresh version: the plot redraws
            if run.race is not None:
                run.race.note(run, event)
            elif isinstance(event, RunFinished):
                self._finished(run, event)
        for run in self.runs.items:  # a race's gate pauses all its contestants, not only the selected one
            paused = run.gate is not None and run.gate.paused
            if run.state.status in ("running", "paused") and (run.state.status == "paused") != paused:
                run.state.status = "paused" if paused else "running"
                run.state.touch()
        self.shell.redraw(now=False)

    def _finished(self, run: Run, event: RunFinished) -> None:
        run.gate = None
        if event.reason in ("diverged", "failed"):
            self.shell.notify(visible(event.message or f"The run {event.reason}.", 400),
                              title=f"Run {event.reason}", severity="error", timeout=10)
        elif event.reason == "completed":
            ran = event.step - run.started_at_step
            since = f" (from step {run.started_at_step:,} to {event.step:,})" if run.started_at_step else ""
            self.shell.notify(f"Ran {ran:,} steps{since} in {event.elapsed:.1f} s.", title="Run completed")
        self.shell.redraw()

    def _race_finished(self, event: RaceFinished) -> None:
        race = self.runs.race
        if race is None or race.finished:
            return
        race.finish(event)
        for contestant in race.contestants:
            contestant.run.gate = None
        reached = [f"{c.label} at step {c.steps_to_target:,}" for c in race.contestants if c.steps_to_target]
        self.shell.redraw()
        self.shell.notify(("Reached the target: " + "; ".join(reached)) if reached
                          else "No contestant reached the target.", title=f"Race over (target {race.target:.0%})")

    def _trainer_created(self, report: reports.TrainerCreated) -> None:
        run = self.selected if report.gate is None else \
            next((run for run in self.runs.items if run.gate is report.gate), None)
        if run is not None:  # else built for a run that was stopped or reset meanwhile
            self._hold_trainer(run, report.trainer)

    def _contestant_created(self, report: reports.ContestantCreated) -> None:
        if report.race is self.runs.race:  # else a race that was replaced
            self._hold_trainer(report.race.contestants[report.index].run, report.trainer)

    def _hold_trainer(self, run: Run, trainer: Any) -> None:
        run.hold(trainer, trainable=True)
        if run is self.selected:
            self.shell.model_changed(trainer, trainer.config)
            self.shell.redraw()

    def _failed(self, report: reports.TrainingFailed) -> None:
        runs = [self.selected] if report.gate is None else [run for run in self.runs.items if run.gate is report.gate]
        if not runs:
            return  # about a run that was already replaced
        for run in runs:
            run.state.status, run.gate = "idle", None
            run.state.touch()
        race = runs[0].race
        if race is not None and race is self.runs.race:
            race.finished = True
            race.version += 1
        self.shell.redraw(replaced=True)
        self.shell.notify(report.message, title="Cannot race" if race else "Cannot train", severity="error",
                          timeout=10)
        if report.field:
            self.shell.mark_setting(report.field, report.message.removeprefix(f"{report.field}: "))
            self.shell.focus_setting(report.field)

    def _saved(self, report: reports.Saved) -> None:
        then = None
        if self.after_save is not None and self.after_save[0] is report.trainer:
            then, self.after_save = self.after_save[1], None
        if report.error:
            self.shell.notify(f"{visible(report.error)} (not saved; the model is kept: choose another path)",
                              severity="error", timeout=8)
            if then is not None:
                self.shell.notify("Not saved, so nothing was discarded.", severity="warning")
            run = self._run_of(report.trainer)
            if run is not None:  # else reset or replaced meanwhile: nothing left to save
                self.ask_save_path(run, self.default_path(run), report.path, then=then,
                                   reason=f"{report.error} (not saved)")
            return
        self.last_checkpoint = report.path
        run = self._run_of(report.trainer)
        if run is not None:
            run.saved_step = max(run.saved_step, report.step)
        self.shell.notify(f"Saved step {report.step:,} to {visible(report.path)}")
        if then is not None:
            then()

    def _run_of(self, model: Any) -> Run | None:
        """The run holding `model` (None: it was reset or replaced meanwhile)."""
        return next((run for run in self.runs.items if model is not None and run.model is model), None)

    def _loaded(self, report: reports.ModelLoaded) -> None:
        run = self.runs.single()
        self.select(run)  # a loaded model replaces the single run
        self._stop(run)
        model = report.model
        run.hold(model, trainable=report.resumable, saved_step=model.step)
        run.state = loaded_state(model)
        self.last_checkpoint = self.loaded_from = report.path
        config, branching = self._branch_settings(model, report.resumable)
        self.preset = matching_preset(config)
        self.shell.fill_setup(config, self.preset)
        self.shell.model_changed(model, model.config)
        self.shell.redraw(replaced=True)
        how = "F5 continues training it" if report.resumable else "for prediction only (its data is missing)"
        self.shell.notify(f"Loaded {visible(report.path, 120)} at step {model.step:,}; {branching or how}.",
                          title="Model loaded")

    def _branch_settings(self, model: Any, resumable: bool) -> tuple[TrainConfig, str]:
        """The Setup for a model just loaded: its own, or with the settings `tui --load CKPT --lr X` gave
        (once), and what F5 will do then."""
        changes, self.load_changes = self.load_changes, None
        if not changes or not resumable:
            return model.config, ""
        try:
            config = branches.resumed(model.config, model.step, changes)
        except ConfigError as error:
            self.shell.notify(visible(error, 300), title="Setting not applied", severity="error", timeout=8)
            return model.config, ""
        changed = ", ".join(f"{name} {visible(before, 24)} -> {visible(now, 24)}" for name, (before, now)
                            in branches.changes({"config": model.config.to_dict()}, config).items())
        if not changed:
            return config, ""
        if model.step >= config.steps or schedule.out_of_time(config.seconds, model.trained_seconds):
            return config, f"raise Steps above {model.step:,} (or Seconds) and F5 trains a branch of it: {changed}"
        return config, f"F5 trains a branch of it: {changed}"

    def _load_failed(self, report: reports.LoadFailed) -> None:
        self.shell.notify(visible(report.error, 400), severity="error", timeout=8)
        self.ask_load_path(self.load_suggestion(), report.path, f"{report.error} (nothing was loaded)")


def _steps(count: int) -> str:
    return f"{count:,} step{'s' * (count != 1)}"
