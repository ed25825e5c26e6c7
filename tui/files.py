"""Checkpoint actions for the App: save the current model, load one to play with or keep training."""

from __future__ import annotations

from typing import Any

from textual import work

from engine.text import visible
from tui.messages import ModelLoaded, Notice
from tui.run_state import RunState
from tui.widgets.path_dialog import PathDialog

PAUSE_FOR_SAVE_SECONDS = 5.0


class CheckpointActions:
    """Mixin for the App (uses its trainer, gate, config and panes)."""

    def default_path(self) -> str:
        return f"{getattr(self, 'preset', None) or self.trainer.config.task}.safetensors"

    def action_save(self) -> None:
        if not hasattr(self.trainer, "save"):
            self.notify("Nothing to save yet: train (F5) or load (ctrl+o) a model first.", severity="warning")
            return
        self.ask_save_path(self.default_path())

    def ask_save_path(self, path: str) -> None:
        """The save dialog. A path that cannot be written is refused before anything is saved, and asked again."""
        from engine.outputs import OutputError, check_target

        def chosen(choice: str | None) -> None:
            if not choice:
                return
            try:
                check_target(choice, "save")
            except OutputError as error:
                self.notify(str(error), severity="error", timeout=8)
                self.ask_save_path(choice)
                return
            self.save_checkpoint(choice)

        self.push_screen(PathDialog("Save the model to", path), chosen)

    @work(thread=True, group="files", exit_on_error=False)
    def save_checkpoint(self, path: str) -> None:
        """Save from a worker; a running run is paused between steps meanwhile, so weights are whole.

        A failed save loses nothing: the model stays in memory and the dialog opens again for another path.
        """
        from engine.checkpoint import CheckpointError

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
            self.call_from_thread(self.ask_save_path, path)
        finally:
            if pause:
                gate.resume()

    def action_load(self) -> None:
        self.push_screen(PathDialog("Load a checkpoint from", "model.safetensors" if self.trainer is None
                                    else self.default_path()),
                         lambda path: path and self.load_checkpoint(path))

    @work(thread=True, exclusive=True, group="files", exit_on_error=False)
    def load_checkpoint(self, path: str) -> None:
        """Resume it as a trainer when its data is at hand, else load it for prediction only."""
        import engine
        from engine.checkpoint import CheckpointError

        device = (self.config or self.initial_config).device
        try:
            try:
                model, resumable = engine.Trainer.resume(path, device=device), True
            except (engine.ConfigError, engine.DeviceError):
                model, resumable = engine.load(path, device="cpu"), False
        except (CheckpointError, engine.ConfigError, engine.DeviceError, OSError) as error:
            self.post_message(Notice(str(error), "error"))
            return
        self.post_message(ModelLoaded(model, path, resumable))

    def on_model_loaded(self, message: ModelLoaded) -> None:
        from tui.widgets.config_pane import ConfigPane
        from tui.widgets.playground_pane import PlaygroundPane

        self.action_stop()
        model: Any = message.model
        self.trainer, self.state = model, RunState(step=model.step, total_steps=model.config.steps)
        self.query_one(ConfigPane).fill(model.config, None)
        self.query_one(PlaygroundPane).set_model(model, model.config)
        how = "F5 continues training it" if message.resumable else "for prediction only (its data is missing)"
        self.notify(f"Loaded {message.path} at step {model.step:,}; {how}.", title="Model loaded")
        self.sub_title = message.path
        self.update_controls()

    def on_notice(self, message: Notice) -> None:
        self.notify(message.text, severity=message.severity, timeout=8 if message.severity == "error" else 4)
