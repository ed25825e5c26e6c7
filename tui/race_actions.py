"""Race and run-selection actions for the App: start a race from the Setup (ctrl+r), choose the
contestant that Play and the views use, and never lose any run's unsaved weights unasked.

The single run (what F5 trains, what ctrl+o loads into) and a race's contestants are all Runs
(tui/runs.py); actions that make or replace the single run select it first.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.events import RaceFinished
from engine.text import visible
from tui.runs import Contestant, Race, Run
from tui.widgets.confirm_dialog import ConfirmDialog
from tui.widgets.race_dialog import RaceDialog
from tui.widgets.race_pane import RacePane
from tui.widgets.race_plot import MAX_CONTESTANTS

TARGET = 0.99  # the accuracy contestants race to (engine.racing's default)


class RaceActions:
    """Mixin for the App; comes before RunActions and CheckpointActions, whose single-run actions it
    points at the single run."""

    @property
    def busy(self) -> bool:
        """Whether any run (the single run or a race) is training."""
        return any(run.state.training for run in self.runs.items)

    # -- the race ------------------------------------------------------------------------------

    def action_race(self) -> None:
        if self.busy:  # one run or one race trains at a time: say which is in the way
            training = "A race is training" if self._race_training_now() else "A run is training"
            self.notify(f"{training}: stop it (F7) before starting a race.", title="Cannot race", severity="warning")
            return
        if self.config is None:
            self.explain_bad_settings()
            return
        config = self.config
        self.push_screen(RaceDialog(config.task, config.seed, MAX_CONTESTANTS),
                         lambda choice: choice and self._race_chosen(config, *choice))

    def _race_chosen(self, config: Any, cells: tuple[str, ...], seeds: tuple[int, ...] | None) -> None:
        from engine.config import ConfigError
        from engine.racing import contestants

        try:
            configs = contestants(config, cells, seeds or (config.seed,))
        except ConfigError as error:
            self.notify(visible(error, 300), title="Cannot race", severity="error")
            return
        old = [c.run for c in self.runs.race.contestants] if self.runs.race else []
        self.confirm_runs("start a new race", old, lambda: self.start_race(configs))

    def start_race(self, configs: list[Any]) -> None:
        gate = self.new_gate()
        race = Race([], TARGET, gate)
        for config in configs:
            run = Run(f"{config.cell} seed {config.seed}", gate=gate, race=race)
            run.state.status = "starting"
            run.state.config = config.to_dict()  # the heading names the task before the first event
            race.contestants.append(Contestant(run, config.cell, config.seed))
        self.runs.start_race(race)
        self.select_run(race.contestants[0].run)
        self.run_race(race, configs)
        self.action_show_tab("race")

    def on_contestant_created(self, message) -> None:
        if message.race is not self.runs.race:
            return  # a race that was replaced
        run = message.race.contestants[message.index].run
        run.trainer, run.saved_step = message.trainer, 0
        self.track_saves(message.trainer)
        if run is self.runs.selected:
            self.playground.set_model(run.trainer, run.trainer.config)
            self.update_controls()

    def race_finished(self, event: RaceFinished) -> None:
        race = self.runs.race
        if race is None or race.finished:
            return
        race.finish(event)
        for contestant in race.contestants:
            contestant.run.gate = None
        reached = [f"{c.label} at step {c.steps_to_target:,}" for c in race.contestants if c.steps_to_target]
        self.refresh_text()
        self.notify(("Reached the target: " + "; ".join(reached)) if reached else "No contestant reached the target.",
                    title=f"Race over (target {race.target:.0%})")

    def on_race_pane_chosen(self, message: RacePane.Chosen) -> None:
        race = self.runs.race
        if race is None or not 0 <= message.index < len(race.contestants):
            return
        contestant = race.contestants[message.index]
        self.select_run(contestant.run)
        self.notify(f"Play, Train and Samples now show {visible(contestant.label, 40)}.")

    # -- selecting a run -----------------------------------------------------------------------

    def select_run(self, run: Run) -> None:
        """Make `run` the one Play, the views and saving use."""
        if run is self.runs.selected:
            return
        self.runs.select(run)
        # Play, Train and Samples look as they do for the single run: the header says whose model it is.
        self.title = self.TITLE if run.race is None else f"{self.TITLE} · race: {visible(run.name, 24)}"
        self.asked_at = -1  # Play answers again, with this run's model
        config = run.trainer.config if run.trainer is not None else (self.config or self.initial_config)
        self.playground.set_model(run.trainer, config)
        self.show_state()
        self._controls = ()
        self.update_controls()
        self.refresh_text()

    def _single_then(self, action: Callable[[], Any]) -> Any:
        self.select_run(self.runs.single())
        return action()

    def _race_training_now(self) -> bool:
        return self.busy and not self.runs.single().state.training

    def _race_training(self) -> bool:
        """A race trains (the single run does not): say so instead of acting on the single run."""
        if self._race_training_now():
            self.notify("A race is training: stop it first (F7 on the Race view).", severity="warning")
            return True
        return False

    def race_beyond_selected(self) -> Race | None:
        """The selected contestant's race while it trains on without it (it diverged or failed):
        F6 and F7 then pause and stop the race, which the selected run's own state no longer can."""
        race = self.runs.selected.race
        if race is None or self.state.training or not any(c.run.state.training for c in race.contestants):
            return None
        return race

    def action_pause(self) -> None:
        race = self.race_beyond_selected()
        if race is None:
            super().action_pause()
            return
        if race.gate.paused:
            race.gate.resume()
        else:
            race.gate.pause()
        self._set_racing_status("paused" if race.gate.paused else "running", race)

    def action_stop(self) -> None:
        race = self.race_beyond_selected()
        if race is None:
            super().action_stop()
            return
        race.gate.cancel()
        self._set_racing_status("stopping", race)

    def _set_racing_status(self, status: str, race: Race) -> None:
        for contestant in race.contestants:
            if contestant.run.state.training:
                contestant.run.state.status = status
                contestant.run.state.touch()
        self.update_controls()
        self.refresh_text()

    def action_start(self) -> None:
        if not self._race_training():
            self._single_then(super().action_start)

    def action_reset(self) -> None:
        if not self._race_training():  # F8 used to select the idle single run: F6/F7 lost the race
            self._single_then(super().action_reset)

    def action_new_seed(self) -> None:
        if not self._race_training():
            self._single_then(super().action_new_seed)

    def action_load(self) -> None:
        if not self._race_training():
            self._single_then(super().action_load)

    # Textual calls a message's handler on every class of the MRO: these run first, then the
    # single-run handlers of RunActions and CheckpointActions (so they never call super()).

    def on_model_loaded(self, message) -> None:
        self.select_run(self.runs.single())  # a loaded model replaces the single run

    def on_preset_picked(self, message) -> None:
        self.select_run(self.runs.single())  # another preset replaces the single run, not a contestant

    # -- saving and discarding -----------------------------------------------------------------

    def default_path(self) -> str:
        run = self.runs.selected
        if run.race is None or run.trainer is None:
            return super().default_path()
        name = getattr(self, "config_pane", None) and self.config_pane.preset or run.trainer.config.task
        return f"{name}-{run.trainer.config.cell}-seed{run.trainer.config.seed}-step{run.trainer.step}.safetensors"

    def on_saved(self, message) -> None:
        """A save of a run that is no longer selected (CheckpointActions notes the selected run's)."""
        run = next((r for r in self.runs.items if r.trainer is message.trainer), None)
        if run is not None and run is not self.runs.selected and message.ok:
            run.saved_step = max(run.saved_step, message.step)

    def confirm_runs(self, doing: str, runs: list[Run], then: Callable[[], Any]) -> None:
        """Run `then` if none of `runs` has unsaved steps, else ask: save them (one at a time), discard,
        or cancel."""
        unsaved = [run for run in runs if run.unsaved_steps()]
        if not unsaved:
            then()
            return
        names = ", ".join(f"{run.name} ({run.unsaved_steps():,} steps)" for run in unsaved[:4])
        more = " ..." if len(unsaved) > 4 else ""
        them = "them one at a time" if len(unsaved) > 1 else "it"
        detail = (f"Trained steps not saved: {visible(names, 200)}{more}. Save first saves {them}. "
                  f"{doing.capitalize()} anyway?")

        def chosen(choice: str | None) -> None:
            if choice == "discard":
                then()
            elif choice == "save":
                self.select_run(unsaved[0])
                self.save_then(lambda: self.confirm_runs(doing, runs, then))

        self.push_screen(ConfirmDialog(f"Save the models before you {doing}?", detail), chosen)

    async def action_quit(self) -> None:
        unsaved = self.runs.unsaved()
        if not unsaved or unsaved == [self.runs.selected]:
            await super().action_quit()  # the single run's question, as before
            return
        self.confirm_runs("quit", self.runs.items, self.quit_now)

    def quit_now(self) -> None:
        if self.runs.race is not None and self.runs.race.gate is not None:
            self.runs.race.gate.cancel()
        super().quit_now()
