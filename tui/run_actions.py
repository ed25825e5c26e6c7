"""Run actions for the App: start, pause, stop, reset, new seed and quit, asking first when
unsaved training would be lost (a dialog with keys for save, discard and cancel)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from engine import branches, presets, schedule
from engine.config import SETTINGS, ConfigError, TrainConfig
from engine.text import visible
from tui.run_state import RunState
from tui.widgets.confirm_dialog import ConfirmDialog


class RunActions:
    """Mixin for the App (uses its trainer, gate, state, config and panes)."""

    saved_step: int = 0  # the trainer's step when it was last saved or loaded
    after_save: Callable[[], Any] | None = None  # what to do once the save asked for by a dialog is done

    def action_start(self) -> None:
        if self.running:
            return
        if self.config is None:
            self.explain_bad_settings()
            return
        try:
            trainer = self._continuable(self.config)
        except ConfigError as error:  # a branch asked for a precision this device cannot do
            self.notify(visible(error, 300), title="Cannot start", severity="error")
            self.focus_setting(error.field)
            return
        if trainer is None and hasattr(self.trainer, "run") and (self._same_run(self.config)
                                                                 or branches.can_branch(self.trainer, self.config)):
            self.notify("This run has done all its steps or used its time: raise Steps or Seconds to continue it, "
                        "or F8 for new weights.")
            return
        if trainer is None and self.unsaved_steps():  # new settings mean new weights: ask before losing these
            self.confirm_discard("start again with new settings", self._start_fresh)
            return
        self._launch(trainer)

    def _start_fresh(self) -> None:
        self.saved_step = 0
        self._launch(None)

    def _launch(self, trainer: Any) -> None:
        if trainer is None:
            self.trainer, self.state = None, RunState()
        self.state.status = "starting"
        self.state.touch()
        self.started_at_step = trainer.step if trainer is not None else 0
        self.gate = self.new_gate()
        self.run_training(self.config, trainer, self.gate)
        self.action_show_tab("train")
        self.refresh_text()
        self.update_controls()

    def _same_run(self, config: TrainConfig) -> bool:
        """Whether `config` differs from the trainer's only in what a paused or stopped run may change (how long
        it runs, how it reports: engine.settings.Resume), so the same run goes on with it."""
        old = self.trainer.config.to_dict()
        return all(v == old[k] for k, v in config.to_dict().items() if not SETTINGS[k].resume.while_paused)

    def _continuable(self, config: TrainConfig) -> Any:
        """The current trainer if steps remain and `config` only changes how long it runs, or, for a
        checkpoint just loaded, how it learns from here on (a branch of that checkpoint)."""
        if not hasattr(self.trainer, "run") or self.trainer.step >= config.steps:
            return None
        if schedule.out_of_time(config.seconds, self.trainer.trained_seconds):
            return None
        if branches.can_branch(self.trainer, config):  # first: a new time budget on a loaded one starts afresh
            branches.retarget(self.trainer, config)
        elif self._same_run(config):
            self.trainer.config = config
        else:
            return None
        return self.trainer

    def action_pause(self) -> None:
        if self.gate is None or self.state.status not in ("running", "paused"):
            return
        if self.gate.paused:
            self.gate.resume()
            self.state.status = "running"
        else:
            self.gate.pause()
            self.state.status = "paused"
        self.state.touch()
        self.update_controls()

    def action_stop(self) -> None:
        if not self.running:
            return
        if self.gate is not None:
            self.gate.cancel()
        self.state.status = "stopping"
        self.state.touch()
        self.update_controls()

    # -- discarding work -----------------------------------------------------------------------

    def unsaved_steps(self) -> int:
        """Steps trained since the model was last saved or loaded (0: nothing would be lost)."""
        if not hasattr(self.trainer, "run"):
            return 0
        return max(0, self.trainer.step - self.saved_step)

    def confirm_discard(self, doing: str, then: Callable[[], Any]) -> None:
        """Run `then` now if nothing would be lost, else ask: save first, discard, or cancel."""
        steps = self.unsaved_steps()
        if not steps:
            then()
            return
        running = " and stop the run" if self.running else ""
        detail = f"{steps:,} trained steps are not saved. {doing.capitalize()}{running} anyway?"

        def chosen(choice: str | None) -> None:
            if choice == "discard":
                then()
            elif choice == "save":
                self.save_then(then)

        self.push_screen(ConfirmDialog(f"Save the model before you {doing}?", detail), chosen)

    def save_then(self, then: Callable[[], Any]) -> None:
        """Ask where to save; once the save has succeeded, run `then` (a failed save discards nothing)."""
        self.ask_save_path(self.default_path(), then=then)

    def note_save(self, step: int, ok: bool) -> None:
        """A save finished (called on the UI thread)."""
        then, self.after_save = self.after_save, None
        if ok:
            self.saved_step = max(self.saved_step, step)
            if then is not None:
                then()
        elif then is not None:
            self.notify("Not saved, so nothing was discarded.", severity="warning")

    def action_reset(self) -> None:
        self.confirm_discard("discard the weights", self.reset)

    def action_new_seed(self) -> None:
        self.confirm_discard("discard the weights", lambda: self.reset(seed=random.randrange(1, 1_000_000)))

    def reset(self, seed: int | None = None) -> None:
        self.action_stop()
        self.trainer, self.state, self.saved_step = None, RunState(), 0
        self.show_state()
        if seed is not None:
            self.config_pane.set_value("seed", str(seed))
        self.playground.set_model(None, self.config or self.initial_config)
        self.notify(f"New weights on the next start (seed {seed})." if seed is not None
                    else "Weights discarded: the next start begins again with the same seed.")
        self.update_controls()

    def on_preset_picked(self, message) -> None:
        """Another preset is another run: the old model leaves Play and the views (asking first)."""
        name = message.name

        def switch() -> None:
            if self.trainer is not None:
                self.action_stop()
                self.trainer, self.state, self.saved_step = None, RunState(), 0
                self.show_state()
            self.config_pane.fill(presets.get(name), name)
            self.playground.set_model(None, presets.get(name))
            self.update_controls()

        if self.unsaved_steps():
            self.confirm_discard(f"switch to {name}", switch)
            self.config_pane.show_preset(self.config_pane.preset)  # until the user says so
        else:
            switch()

    async def action_quit(self) -> None:
        self.confirm_discard("quit", self.quit_now)

    def quit_now(self) -> None:
        """Stop the run and leave; threads still busy are abandoned (main() ends the process)."""
        if self.gate is not None:
            self.gate.cancel()
        self.playground.predictor.close()
        self.workers.cancel_all()
        self.exit(self.exit_status)
