"""The RNN Playground app: configure, train in the background, watch, and play with the model.

Layout lives in app.tcss; each view is one widget module registered in views.py; the runs (the
single run, a race's contestants) are in runs.py, one of them selected for Play and the views; the
training threads are in bridge.py, their messages handled in run_events.py, the run actions in
run_actions.py and race_actions.py, the checkpoint actions in files.py and quitting on a signal in
shutdown.py. torch is imported only by background threads, after the first frame.
"""

from __future__ import annotations

import sys
import time
from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, TabbedContent, TabPane

from engine import presets
from engine.config import ConfigError, TrainConfig
from engine.devices import choose_threads
from engine.text import visible
from tui import shutdown, threads
from tui.bridge import RunGate, TrainingBridge
from tui.commands import PaletteCommands
from tui.files import CheckpointActions
from tui.messages import ConfigChanged, DevicesFound
from tui.race_actions import RaceActions
from tui.run_actions import RunActions
from tui.run_events import RunEvents
from tui.run_state import RunState
from tui.runs import Runs
from tui.throttle import Throttle
from tui.views import BY_ID, VIEWS
from tui.widgets.config_pane import ConfigPane
from tui.widgets.playground_pane import PlaygroundPane
from tui.widgets.predictions_pane import PredictionsPane
from tui.widgets.training_pane import TrainingPane

# Redraws hold the GIL that the training thread needs, and cost it about twice their own time.
# Text (~2 ms a frame) at most 2 Hz; the plot (~20-30 ms on a small CPU) at most 2 Hz and spaced so
# that rendering it takes at most PLOT_BUDGET of the time: a slow machine redraws it less often.
TEXT_SECONDS, PLOT_SECONDS, PLOT_BUDGET = 0.5, 0.5, 0.01
VIEW_KEYS = Binding.Group("Views", compact=True)


def _selected(name: str) -> property:
    """An attribute of the selected run, read and written as the app's own (the mixins use these)."""
    return property(lambda app: getattr(app.runs.selected, name),
                    lambda app, value: setattr(app.runs.selected, name, value))


class PlaygroundApp(PaletteCommands, RaceActions, CheckpointActions, RunActions, RunEvents, TrainingBridge, App):
    CSS_PATH = "app.tcss"
    watch: Any = None  # tui.watch.Watch: read-only views of a run another process writes (make_app(watch=))
    TITLE = "RNN Playground"
    BINDINGS = [
        *(Binding(view.key, f"show_tab('{view.id}')", view.title, group=VIEW_KEYS, show=False, tooltip=view.shows)
          for view in VIEWS),
        Binding("f5", "start", "Start", tooltip="Train with these settings (continues a stopped run)"),
        Binding("f6", "pause", "Pause", tooltip="Pause or resume the run (or the race) between two steps"),
        Binding("f7", "stop", "Stop", tooltip="Stop the run (or the race); F5 continues a run"),
        Binding("f8", "reset", "Reset", tooltip="Discard the weights; the next start uses the same seed"),
        Binding("f9", "new_seed", "Seed", show=False, tooltip="Discard the weights and pick a new random seed"),
        Binding("ctrl+r", "race", "New race", show=False, tooltip="Race cells on the Setup's task, then watch"),
        Binding("ctrl+t", "direction", "Flip", tooltip="Playground: type plain text or ciphertext (flip direction)"),
        Binding("ctrl+s", "save", "Save", tooltip="Save the model to a .safetensors checkpoint"),
        Binding("ctrl+o", "load", "Load", tooltip="Load a checkpoint to play with or keep training"),
        Binding("ctrl+q", "quit", "Quit", priority=True, tooltip="Stop any run and quit"),
        # Priority: Tab moves focus before the keys typed after it are delivered, not into the old field.
        Binding("tab", "focus_next", show=False, priority=True, system=True),
        Binding("shift+tab", "focus_previous", show=False, priority=True, system=True),
    ]
    state: RunState = _selected("state")
    trainer: Any = _selected("trainer")  # the Trainer (or predict-only loaded model) the views show
    gate: RunGate | None = _selected("gate")
    saved_step: int = _selected("saved_step")
    started_at_step: int = _selected("started_at_step")

    def __init__(self, config: TrainConfig, preset: str | None = None, load: str | None = None,
                 devices: list[tuple[str, str]] | None = None, threads: int | None = None,
                 changes: dict[str, Any] | None = None) -> None:
        self.runs = Runs()
        super().__init__()
        self.initial_config, self.preset, self.load_path, self.known_devices = config, preset, load, devices
        self.load_changes = changes  # `tui --load CKPT --lr X`: settings for F5 to branch the checkpoint with
        self.threads = choose_threads(threads)  # every run and load of the app uses it (the engine applies it)
        self.config: TrainConfig | None = config
        self.exit_status = 0  # 128 + the signal number when a signal ended the app
        self.last_checkpoint: str | None = None  # saved or loaded last: the load dialog suggests it
        self.focus_on_setup: str | None = None  # the field to focus once Setup is shown
        self._controls: tuple = ()
        self.asked_at = 0  # eval_count when the playground last answered
        self.sub_title = preset or (visible(load, 60) if load else "custom")

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="setup" if self.watch is None else "train", id="tabs"):
            for view in VIEWS:
                with TabPane(view.tab_label, id=view.id):
                    yield view.make(self)
        yield Footer()

    def notify(self, message: str, *, markup: bool = False, **kwargs: Any) -> None:
        """Toasts quote paths, errors and data: they are never read as console markup (`[bold]` in a path)."""
        super().notify(message, markup=markup, **kwargs)

    def action_help_quit(self) -> None:
        """Ctrl+C: Textual's own hint is markup ("Press [b]ctrl+q[/b]"), shown raw by notify() above."""
        self.notify("Press ctrl+q to quit the app.", title="Do you want to quit?")

    def on_mount(self) -> None:
        self.tab = "setup"
        self.training_pane, self.playground = self.query_one(TrainingPane), self.query_one(PlaygroundPane)
        self.config_pane = self.query_one(ConfigPane)
        self.views_throttle = Throttle(self, TEXT_SECONDS, self.refresh_views)
        self._plotted_at = 0.0
        self.playground.set_model(None, self.initial_config)
        if self.watch is None:
            self.query_one("#field-preset").focus()
        else:
            self.watch.start()
        if self.known_devices is not None:
            self.config_pane.set_devices(self.known_devices)
        else:
            self.call_after_refresh(threads.start, "devices", self.probe_devices)
        if self.load_path:
            self.call_after_refresh(self.load_checkpoint, self.load_path)
        shutdown.on_signals(self)
        self.update_controls()

    def on_unmount(self) -> None:
        for run in self.runs.items:
            if run.gate is not None:
                run.gate.cancel()  # training threads are daemons: stop them with the app, wherever it ends

    def probe_devices(self) -> None:
        from engine.devices import available  # imports torch: after the first frame, off the UI thread

        found = [(d.name, d.label) for d in available()]
        used = self.threads  # what training will use, not what torch has now
        found = [(n, f"CPU ({used} thread{'s' * (used != 1)} for training)" if n == "cpu" else label)
                 for n, label in found]
        self.post_message(DevicesFound(found))

    # -- views ---------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the selected run (or race) is training."""
        return self.state.training

    def active_tab(self) -> str:
        return self.tab

    def shown_view(self) -> tuple[Any, Any]:
        """The view on screen and its widget."""
        view = BY_ID[self.tab]
        return view, self.query_one(TabbedContent).get_pane(self.tab).query_one(view.widget)

    def refresh_views(self) -> None:
        """The throttled redraw: text every time, the plot when its interval has passed."""
        if not self.training_pane.is_attached:
            return  # shutting down
        self.refresh_text()
        view, widget = self.shown_view()
        if view.plot is None:
            return
        now = time.monotonic()
        interval = max(PLOT_SECONDS, getattr(widget, "plot_render_seconds", 0.0) / PLOT_BUDGET)
        if now - self._plotted_at >= interval - 0.01:
            self._plotted_at = now
            view.plot(self, widget, False)
        elif view.stale(self, widget):
            self.views_throttle.request()  # come back for the plot

    def refresh_text(self) -> None:
        """Redraw the visible view's text from the selected run (and the race)."""
        if self.training_pane.is_attached:
            view, widget = self.shown_view()
            view.text(self, widget)

    def refresh_plot(self, force: bool = False) -> None:
        """Redraw the visible view's plot, if it has one and its data changed."""
        if self.training_pane.is_attached:
            view, widget = self.shown_view()
            if view.plot is not None:
                view.plot(self, widget, force)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.tab = event.pane.id
        self.set_class(self.tab == "play", "-play")  # notifications go below Play's warnings (app.tcss)
        if not self.training_pane.is_attached:
            return  # shutting down
        view, widget = self.shown_view()
        view.shown(self, widget)
        self.refresh_text()
        self.refresh_plot()
        self.refresh_bindings()

    def update_controls(self) -> None:
        """Enable the buttons and footer keys that apply now; cheap when nothing changed."""
        if not self.training_pane.is_attached:
            return  # shutting down
        controls = (self.config is not None and not self.busy, self.state.status, self.trainer is not None, self.busy)
        if controls == self._controls:
            return  # refresh_bindings() rebuilds the footer: never per event batch
        self._controls = controls
        self.query_one(TrainingPane).set_controls(can_start=controls[0], running=self.running,
                                                  paused=self.state.status == "paused")
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.watch is not None and not self.watch.allows(action, parameters):
            return False
        if action == "show_tab":
            return parameters[0] != self.active_tab()
        if action == "start":
            return not self.busy  # with bad settings F5 says why and moves to the first bad field
        if action == "race":
            return True  # while a run or race trains, ctrl+r says why it cannot race
        if action in ("pause", "stop"):
            return self.state.status in ("running", "paused") or self.race_beyond_selected() is not None
        if action == "direction":
            return self.active_tab() == "play" and self.playground.reversible
        if action == "save":
            return True if self.trainer is not None and hasattr(self.trainer, "save") else None
        return True

    # -- actions -------------------------------------------------------------------------------

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_direction(self) -> None:
        self.playground.toggle_direction()

    def new_gate(self) -> RunGate:
        return RunGate()

    def show_state(self) -> None:
        """Redraw the views now (the state was replaced: a reset, a load, a failed start)."""
        self.training_pane.show(self.state)
        self.query_one(PredictionsPane).show(self.state)
        self.refresh_plot(force=True)

    def explain_bad_settings(self) -> None:
        """F5 with bad settings: say which and why, and move to the first bad field."""
        errors = self.config_pane.bad_settings()
        first = self.config_pane.first_bad_field()
        reasons = "; ".join(f"{label}: {why}" for label, why in errors)
        self.notify(visible(reasons or "fix the settings marked on the Setup tab first", 400),
                    title=f"Cannot start: {len(errors)} bad setting{'s' * (len(errors) != 1)}", severity="warning")
        self.focus_setting(first)

    def focus_setting(self, name: str | None) -> None:
        """Show Setup with the field `name` focused (once the tab is shown, if it was not)."""
        if self.tab == "setup" and self.query_one(TabbedContent).active == "setup":  # shown, none pending
            if name is not None:
                self.config_pane.focus_field(name)
        else:
            self.focus_on_setup = name
            self.action_show_tab("setup")

    # -- messages from workers and panes -------------------------------------------------------

    def on_devices_found(self, message: DevicesFound) -> None:
        self.config_pane.set_devices(message.devices)

    def on_config_changed(self, message: ConfigChanged) -> None:
        if not self.training_pane.is_attached or self.watch is not None:
            return  # shutting down, or watching another process's run: no settings apply
        self.config = message.config
        if not (self.load_path and self.trainer is not None and self.config_pane.preset is None):
            self.sub_title = self.config_pane.preset or "custom"
        if self.trainer is None and message.config is not None:
            self.playground.set_model(None, message.config)
        self.update_controls()


def make_app(preset: str | None = None, load: str | None = None, device: str | None = None,
             devices: list[tuple[str, str]] | None = None, config: TrainConfig | None = None,
             threads: int | None = None, watch: str | None = None,
             stale_seconds: float | None = None, changes: dict[str, Any] | None = None) -> PlaygroundApp:
    """The app, configured; raises ConfigError for an unknown preset or a malformed device name.

    `config` (built by `rnnplay tui` from the same flags as `rnnplay train`) replaces the preset's
    settings, which keep the preset's name and description as their base, as after editing a field;
    `threads` sets training's intra-op threads; `devices` skips probing the machine (tests and
    snapshots pass a fixed list)."""
    name = preset or (None if load or config else presets.DEFAULT)
    if config is None:
        config = presets.get(name) if name else TrainConfig()
    if device is not None:
        config = config.replace(device=device)
    app = PlaygroundApp(config, name, load, devices, threads, changes)
    if watch is not None:  # Train and Samples, read-only, on the run that writes this metrics file
        from tui.watch import STALE_SECONDS, Watch

        app.watch = Watch(app, watch, stale_seconds or STALE_SECONDS)
    return app


def main(preset: str | None = None, load: str | None = None, device: str | None = None,
         config: TrainConfig | None = None, threads: int | None = None, changes: dict[str, Any] | None = None) -> int:
    """Run the app in this terminal; the exit status for the `rnnplay` command."""
    try:
        app = make_app(preset, load, device, config=config, threads=threads, changes=changes)
    except ConfigError as error:
        print(f"rnnplay: error: {visible(error, 300)}", file=sys.stderr)
        return 2
    app.run()
    return shutdown.finish(app.return_code or app.exit_status or 0)
