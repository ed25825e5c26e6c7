"""The RNN Playground app: configure, train in the background, watch, and play with the model.

Layout lives in app.tcss; each pane is one widget module; the training worker is in bridge.py
and the checkpoint actions in files.py. torch is imported only by workers, after the first frame.
"""

from __future__ import annotations

import random
import sys
import time
from typing import Any

from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, TabbedContent, TabPane

from engine import presets
from engine.config import ConfigError, TrainConfig
from engine.events import RunFinished
from tui.bridge import RunGate, TrainingBridge
from tui.commands import PaletteCommands
from tui.files import CheckpointActions
from tui.messages import ConfigChanged, DevicesFound, TrainerCreated, TrainingEvents, TrainingFailed
from tui.run_state import RunState
from tui.throttle import Throttle
from tui.widgets.config_pane import ConfigPane
from tui.widgets.playground_pane import PlaygroundPane
from tui.widgets.predictions_pane import PredictionsPane
from tui.widgets.training_pane import TrainingPane

# Redraws hold the GIL that the training thread needs, and cost it about twice their own time.
# Text (~2 ms a frame) at most 2 Hz; the plot (~20-30 ms on a small CPU) at most 2 Hz and spaced so
# that rendering it takes at most PLOT_BUDGET of the time: a slow machine redraws it less often.
TEXT_SECONDS, PLOT_SECONDS, PLOT_BUDGET = 0.5, 0.5, 0.01
RESUMABLE = {"steps", "log_every", "eval_every"}  # settings a paused or stopped run may change
VIEWS = Binding.Group("Views", compact=True)


class PlaygroundApp(PaletteCommands, CheckpointActions, TrainingBridge, App):
    CSS_PATH = "app.tcss"
    TITLE = "RNN Playground"
    BINDINGS = [
        Binding("f1", "show_tab('setup')", "Setup", group=VIEWS, show=False, tooltip="Presets and every run setting"),
        Binding("f2", "show_tab('train')", "Train", group=VIEWS, show=False, tooltip="Stats and the loss plot"),
        Binding("f3", "show_tab('samples')", "Samples", group=VIEWS, show=False, tooltip="Latest predictions, marked"),
        Binding("f4", "show_tab('play')", "Play", group=VIEWS, show=False, tooltip="Type text, see the model answer"),
        Binding("f5", "start", "Start", tooltip="Train with these settings (continues a stopped run)"),
        Binding("f6", "pause", "Pause", tooltip="Pause or resume the run between two steps"),
        Binding("f7", "stop", "Stop", tooltip="Stop the run; F5 continues it"),
        Binding("f8", "reset", "Reset", tooltip="Discard the weights; the next start uses the same seed"),
        Binding("f9", "new_seed", "Seed", tooltip="Discard the weights and pick a new random seed"),
        Binding("ctrl+t", "direction", "Direction", tooltip="Playground: type plain text or ciphertext"),
        Binding("ctrl+s", "save", "Save", tooltip="Save the model to a .safetensors checkpoint"),
        Binding("ctrl+o", "load", "Load", tooltip="Load a checkpoint to play with or keep training"),
        Binding("ctrl+q", "quit", "Quit", priority=True, tooltip="Stop any run and quit"),
    ]

    def __init__(self, config: TrainConfig, preset: str | None = None, load: str | None = None,
                 devices: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        self.initial_config, self.preset, self.load_path, self.known_devices = config, preset, load, devices
        self.config: TrainConfig | None = config
        self.state = RunState()
        self.trainer: Any = None  # the Trainer (or predict-only loaded model) the views show
        self.gate: RunGate | None = None
        self._controls: tuple = ()
        self._asked_at = 0  # eval_count when the playground last answered
        self.sub_title = preset or "custom"

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="setup", id="tabs"):
            with TabPane("Setup F1", id="setup"):
                yield ConfigPane(self.initial_config, self.preset, id="config")
            with TabPane("Train F2", id="train"):
                yield TrainingPane(id="training")
            with TabPane("Samples F3", id="samples"):
                yield PredictionsPane(id="predictions")
            with TabPane("Play F4", id="play"):
                yield PlaygroundPane(id="playground")
        yield Footer()

    def on_mount(self) -> None:
        self.tab = "setup"
        self.training_pane, self.playground = self.query_one(TrainingPane), self.query_one(PlaygroundPane)
        self.config_pane = self.query_one(ConfigPane)
        self.views_throttle = Throttle(self, TEXT_SECONDS, self.refresh_views)
        self._plotted_at = 0.0
        self.playground.set_model(None, self.initial_config)
        self.query_one("#field-preset").focus()
        if self.known_devices is not None:
            self.query_one(ConfigPane).set_devices(self.known_devices)
        else:
            self.call_after_refresh(self.probe_devices)
        if self.load_path:
            self.call_after_refresh(self.load_checkpoint, self.load_path)
        self.update_controls()

    @work(thread=True, group="devices", exit_on_error=False)
    def probe_devices(self) -> None:
        from engine.devices import available  # imports torch: after the first frame, off the UI thread

        self.post_message(DevicesFound([(d.name, d.label) for d in available()]))

    # -- views ---------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.state.status in ("starting", "running", "paused", "stopping")

    def active_tab(self) -> str:
        return self.tab

    def refresh_views(self) -> None:
        """The throttled redraw: text every time, the plot when its interval has passed."""
        if not self.training_pane.is_attached:
            return  # shutting down
        self.refresh_text()
        now = time.monotonic()
        interval = max(PLOT_SECONDS, self.training_pane.plot_render_seconds / PLOT_BUDGET)
        if now - self._plotted_at >= interval - 0.01:
            self._plotted_at = now
            self.refresh_plot()
        elif self.tab == "train" and self.state.plot_version != self.training_pane.plot_version_shown:
            self.views_throttle.request()  # come back for the plot

    def refresh_text(self) -> None:
        """Redraw the visible pane's text from the run state."""
        if not self.training_pane.is_attached:
            return  # shutting down
        if self.tab == "train":
            self.training_pane.show(self.state)
        elif self.tab == "samples":
            self.query_one(PredictionsPane).show(self.state)
        elif self.tab == "play" and self.state.eval_count != self._asked_at:
            self._asked_at = self.state.eval_count
            self.playground.ask()  # new weights: answer again

    def refresh_plot(self, force: bool = False) -> None:
        """Redraw the loss plot if it is visible and its data changed."""
        if self.training_pane.is_attached and self.tab == "train":
            self.training_pane.show_plot(self.state, force)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.tab = event.pane.id
        if self.tab == "play":
            self.query_one("#play-input").focus()
        elif self.tab == "setup" and (self.focused is None or ConfigPane not in map(type, self.focused.ancestors)):
            self.query_one("#field-preset").focus()
        self.refresh_text()
        self.refresh_plot()
        self.refresh_bindings()

    def update_controls(self) -> None:
        """Enable the buttons and footer keys that apply now; cheap when nothing changed."""
        if not self.training_pane.is_attached:
            return  # shutting down
        controls = (self.config is not None and not self.running, self.state.status, self.trainer is not None)
        if controls == self._controls:
            return  # refresh_bindings() rebuilds the footer: never per event batch
        self._controls = controls
        self.query_one(TrainingPane).set_controls(can_start=controls[0], running=self.running,
                                                  paused=self.state.status == "paused")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "show_tab":
            return parameters[0] != self.active_tab()
        if action == "start":
            return False if self.running else (True if self.config is not None else None)
        if action in ("new_seed", "load"):
            return not self.running
        if action in ("pause", "stop"):
            return self.state.status in ("running", "paused")
        if action == "direction":
            return self.active_tab() == "play" and self.playground.play_task == "caesar"
        if action == "save":
            return True if self.trainer is not None and hasattr(self.trainer, "save") else None
        return True

    # -- actions -------------------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_start(self) -> None:
        if self.running:
            return
        if self.config is None:
            self.notify("Fix the settings marked on the Setup tab first.", severity="warning")
            self.action_show_tab("setup")
            return
        trainer = self._continuable(self.config)
        if trainer is None and hasattr(self.trainer, "run") and self._same_run(self.config):
            self.notify("This run has done all its steps: raise Steps to continue it, or F8 for new weights.")
            return
        if trainer is None:
            self.trainer, self.state = None, RunState()
        self.state.status = "starting"
        self.gate = RunGate()
        self.run_training(self.config, trainer, self.gate)
        self.action_show_tab("train")
        self.update_controls()

    def _same_run(self, config: TrainConfig) -> bool:
        old = self.trainer.config.to_dict()
        return all(v == old[k] for k, v in config.to_dict().items() if k not in RESUMABLE)

    def _continuable(self, config: TrainConfig) -> Any:
        """The current trainer if `config` only changes how long it runs, and steps remain."""
        if not hasattr(self.trainer, "run") or not self._same_run(config) or self.trainer.step >= config.steps:
            return None
        self.trainer.config = config
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
        self.workers.cancel_group(self, "training")
        if self.gate is not None:
            self.gate.cancel()
        self.state.status = "stopping"
        self.state.touch()
        self.update_controls()

    def action_reset(self, seed: int | None = None) -> None:
        self.action_stop()
        self.trainer, self.state = None, RunState()
        self.training_pane.show(self.state)
        self.refresh_plot(force=True)
        pane = self.query_one(ConfigPane)
        if seed is not None:
            pane.set_value("seed", str(seed))
        self.playground.set_model(None, self.config or self.initial_config)
        self.notify(f"New weights on the next start (seed {seed})." if seed is not None
                    else "Weights discarded: the next start begins again with the same seed.")
        self.update_controls()

    def action_new_seed(self) -> None:
        self.action_reset(seed=random.randrange(1, 1_000_000))

    def action_direction(self) -> None:
        self.playground.toggle_direction()

    async def action_quit(self) -> None:
        if self.gate is not None:
            self.gate.cancel()
        self.workers.cancel_all()
        self.exit()

    # -- messages from workers and panes -------------------------------------------------------

    def on_training_events(self, message: TrainingEvents) -> None:
        for event in message.events:
            if getattr(self.trainer, "run_id", None) != event.run_id:
                continue  # a stale event from a run that was reset or replaced
            self.state.apply(event)
            if isinstance(event, RunFinished):
                self._finished(event)
        if self.state.status == "running" and self.gate is not None and self.gate.paused:
            self.state.status = "paused"
        self.views_throttle.request()
        self.update_controls()

    def _finished(self, event: RunFinished) -> None:
        self.gate = None
        if event.reason in ("diverged", "failed"):
            self.notify(event.message or f"The run {event.reason}.", title=f"Run {event.reason}",
                        severity="error", timeout=10)
        elif event.reason == "completed":
            self.notify(f"Finished {event.step:,} steps in {event.elapsed:.1f} s.", title="Run completed")
        self.refresh_text()
        self.refresh_plot()

    def on_trainer_created(self, message: TrainerCreated) -> None:
        self.trainer = message.trainer
        self.playground.set_model(self.trainer, self.trainer.config)

    def on_training_failed(self, message: TrainingFailed) -> None:
        self.state.status, self.gate = "idle", None
        self.state.touch()
        self.notify(message.message, title="Cannot train", severity="error", timeout=10)
        if message.field:
            self.query_one(ConfigPane).mark(message.field, message.message.removeprefix(f"{message.field}: "))
            self.action_show_tab("setup")
        self.update_controls()

    def on_devices_found(self, message: DevicesFound) -> None:
        self.query_one(ConfigPane).set_devices(message.devices)

    def on_config_changed(self, message: ConfigChanged) -> None:
        if not self.training_pane.is_attached:
            return  # shutting down
        self.config = message.config
        self.sub_title = self.config_pane.preset or "custom"
        if self.trainer is None and message.config is not None:
            self.playground.set_model(None, message.config)
        self.update_controls()


def make_app(preset: str | None = None, load: str | None = None, device: str | None = None,
             devices: list[tuple[str, str]] | None = None) -> PlaygroundApp:
    """The app, configured; raises ConfigError for an unknown preset or a malformed device name.

    `devices` skips probing the machine (tests and snapshots pass a fixed list)."""
    name = preset or (None if load else "caesar")
    config = presets.get(name) if name else TrainConfig()
    if device is not None:
        config = config.replace(device=device)
    return PlaygroundApp(config, name, load, devices)


def main(preset: str | None = None, load: str | None = None, device: str | None = None) -> int:
    """Run the app in this terminal; the exit status for the `rnnplay` command."""
    try:
        app = make_app(preset, load, device)
    except ConfigError as error:
        print(f"rnnplay: {error}", file=sys.stderr)
        return 2
    app.run()
    return app.return_code or 0
