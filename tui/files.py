"""Checkpoint actions for the App: save the current model, load one to play with or keep training."""

from __future__ import annotations

import os
from typing import Any

from textual import work

from engine import presets
from engine.events import Evaluated, RunFinished
from engine.text import visible
from tui import branch_curve, threads
from tui.messages import ModelLoaded, Notice, Saved
from tui.run_state import RunState
from tui.widgets.path_dialog import PathDialog

PAUSE_FOR_SAVE_SECONDS = 5.0


class CheckpointActions:
    """Mixin for the App (uses its trainer, gate, config and panes)."""

    def default_path(self) -> str:
        """A name from the preset (or task) and the step: completion-step1500.safetensors."""
        name = getattr(self, "config_pane", None) and self.config_pane.preset
        if self.trainer is None:
            return f"{name or (self.config or self.initial_config).task}.safetensors"
        return f"{name or self.trainer.config.task}-step{self.trainer.step}.safetensors"

    def load_suggestion(self) -> str:
        """The checkpoint last saved or loaded here, else the newest one in this folder, else nothing."""
        last = getattr(self, "last_checkpoint", None)
        if last and os.path.isfile(last):
            return last
        return newest_checkpoint(".")

    def track_saves(self, trainer: Any) -> None:
        """Note every save of `trainer` (whoever starts it), so quitting knows what is unsaved."""
        save = getattr(trainer, "save", None)
        if save is None:
            return

        def save_and_note(path: str) -> None:
            step = trainer.step
            try:
                save(path)
            except BaseException:
                self.post_message(Saved(trainer, step, False))
                raise
            self.post_message(Saved(trainer, step, True, path))

        trainer.save = save_and_note

    def on_saved(self, message: Saved) -> None:
        if message.ok and message.path:
            self.last_checkpoint = message.path
        if message.trainer is self.trainer:
            self.note_save(message.step, message.ok)

    def action_save(self) -> None:
        if not hasattr(self.trainer, "save"):
            self.notify("Nothing to save yet: train (F5) or load (ctrl+o) a model first.", severity="warning")
            return
        self.ask_save_path(self.default_path())

    def ask_save_path(self, path: str, text: str = "", then: Any = None, reason: str = "") -> None:
        """The save dialog. A path that cannot be written is refused before anything is saved, and asked
        again with the reason; `then` runs once the save has succeeded (a failed save discards nothing)."""
        from engine.storage.output_files import OutputError, check_kind, check_target

        def chosen(choice: str | None) -> None:
            if not choice:
                return
            try:
                check_target(choice, "save")
                check_kind(choice, "save", "checkpoint")
            except OutputError as error:  # refused before saving: ask again with what was typed
                self.notify(visible(error, 400), severity="error", timeout=8)
                self.ask_save_path(path, text=choice, then=then, reason=str(error))
                return
            self.after_save = then
            self.save_checkpoint(choice)

        self.push_screen(PathDialog("Save the model to", path, text=text, reason=reason), chosen)

    @work(thread=True, group="files", exit_on_error=False)
    def save_checkpoint(self, path: str) -> None:
        """Save from a worker; a running run is paused between steps meanwhile, so weights are whole.

        A failed save loses nothing: the model stays in memory and the dialog opens again for another path.
        """
        from engine.storage.checkpoint import CheckpointError

        trainer, gate = self.trainer, self.gate
        pause = gate is not None and not gate.paused
        if pause:
            gate.pause()
            gate.wait_until_blocked(PAUSE_FOR_SAVE_SECONDS)
        try:
            trainer.save(path)
            self.post_message(Notice(f"Saved step {trainer.step:,} to {visible(path)}"))
        except (CheckpointError, OSError) as error:
            self.post_message(Notice(f"{visible(error)} (not saved; the model is kept: choose another path)", "error"))
            self.call_from_thread(self.ask_save_path, self.default_path(), path, None, f"{error} (not saved)")
        finally:
            if pause:
                gate.resume()

    def action_load(self) -> None:
        if self.running:  # a key that does nothing must say why
            self.notify("Stop the run first (F7): loading replaces the model it trains.", severity="warning")
            return
        self.confirm_discard("load another model", lambda: self.ask_load_path(self.load_suggestion()))

    def ask_load_path(self, path: str, text: str = "", reason: str = "") -> None:
        """The load dialog; a checkpoint that cannot be loaded asks again, with the reason and the typed path."""
        self.push_screen(PathDialog("Load a checkpoint from", path, text=text, reason=reason),
                         lambda choice: choice and self.load_checkpoint(choice))

    def load_checkpoint(self, path: str) -> None:
        threads.start("load", self._load, path)

    def _load(self, path: str) -> None:
        """Resume it as a trainer when its data is at hand, else load it for prediction only."""
        import engine
        from engine.storage.checkpoint import CheckpointError

        device = (self.config or self.initial_config).device
        try:
            try:
                model, resumable = engine.Trainer.resume(path, device=device), True
            except (engine.ConfigError, engine.DeviceError):
                model, resumable = engine.load(path, device="cpu"), False
        except (CheckpointError, engine.ConfigError, engine.DeviceError, OSError, MemoryError) as error:
            self.post_message(Notice(visible(error, 400), "error"))
            self.call_from_thread(self.ask_load_path, self.load_suggestion(), path, f"{error} (nothing was loaded)")
            return
        self.post_message(ModelLoaded(model, path, resumable))

    def on_model_loaded(self, message: ModelLoaded) -> None:
        self.action_stop()
        model: Any = message.model
        self.trainer, self.state, self.saved_step = model, loaded_state(model), model.step
        self.last_checkpoint = message.path
        if hasattr(model, "run"):
            self.track_saves(model)
        config, branching = self._branch_settings(model, message.resumable)
        self.config_pane.fill(config, matching_preset(config))
        self.playground.set_model(model, model.config)
        self.show_state()
        how = "F5 continues training it" if message.resumable else "for prediction only (its data is missing)"
        how = branching or how
        shown = visible(message.path, 120)
        self.notify(f"Loaded {shown} at step {model.step:,}; {how}.", title="Model loaded")
        self.sub_title = self.config_pane.preset or visible(os.path.basename(message.path), 60)
        self.update_controls()

    def _branch_settings(self, model: Any, resumable: bool) -> tuple[Any, str]:
        """The Setup for a model just loaded: its own, or with the settings `tui --load CKPT --lr X` gave
        (once), and what F5 will do then."""
        from engine import branches
        from engine.config import ConfigError

        changes, self.load_changes = getattr(self, "load_changes", None), None
        if not changes or not resumable:
            return model.config, ""
        try:
            config = branches.resumed(model.config, model.step, changes)
        except ConfigError as error:
            self.notify(visible(error, 300), title="Setting not applied", severity="error", timeout=8)
            return model.config, ""
        changed = ", ".join(f"{name} {visible(before, 24)} -> {visible(now, 24)}" for name, (before, now)
                            in branches.changes({"config": model.config.to_dict()}, config).items())
        return config, f"F5 trains a branch of it: {changed}" if changed else ""

    def on_notice(self, message: Notice) -> None:
        if message.severity == "error" and self.after_save is not None:
            self.note_save(0, False)  # the save asked for before discarding failed: discard nothing
        self.notify(visible(message.text, 400), severity=message.severity,
                    timeout=8 if message.severity == "error" else 4)


def newest_checkpoint(folder: str) -> str:
    """The most recently written *.safetensors file in `folder` (its name), or ""."""
    found = []
    try:
        with os.scandir(folder) as scan:
            for entry in scan:
                if entry.name.endswith(".safetensors") and entry.name.isprintable():
                    try:
                        if entry.is_file():
                            found.append((entry.stat().st_mtime, entry.name))
                    except OSError:  # vanished, or a broken link
                        continue
    except OSError:
        return ""
    return max(found)[1] if found else ""


def matching_preset(config: Any) -> str | None:
    """The preset whose settings `config` has (steps and device aside), if any."""
    mine = {k: v for k, v in config.to_dict().items() if k not in ("steps", "device")}
    for name in presets.names():
        theirs = presets.get(name).to_dict()
        if all(theirs.get(k) == v for k, v in mine.items()):
            return name
    return None


def loaded_state(model: Any) -> RunState:
    """What the views show for a model read from a checkpoint: its step, size and saved metrics."""
    metrics = dict(getattr(model, "metrics", {}) or {})
    module = getattr(model, "model", None)
    parameters = sum(p.numel() for p in module.parameters()) if module is not None else 0
    run_id = getattr(model, "run_id", "") or "loaded"
    state = RunState(status="finished", run_id=run_id, device=str(getattr(model, "device", "")),
                     parameters=parameters, config=model.config.to_dict(), total_steps=model.config.steps,
                     step=model.step, loss=metrics.get("loss"))
    state.finished = RunFinished(run_id, model.step, "loaded", metrics)
    branch_curve.loaded(state, model)  # the curve its checkpoint carries
    if metrics.get("eval_loss") is not None:
        state.evals.append(Evaluated(run_id, model.step, metrics["eval_loss"], metrics.get("accuracy"),
                                     metrics.get("bits_per_char")))
        state.eval_count = 1
    return state
