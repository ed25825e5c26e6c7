"""The RNN Playground app: the screen over a Session.

Every decision (start, pause, stop, reset, race, save, load, quit) is the Session's (tui/session.py),
which needs no terminal; this App composes the views (each one widget module, registered in views.py),
binds the keys, turns messages into Session calls, and is the Session's Shell: it draws, shows toasts
and asks questions in dialogs. Quitting on a signal is in shutdown.py. torch is imported only by
background threads, after the first frame.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, TabbedContent, TabPane

from engine import presets
from engine.config import ConfigError, TrainConfig
from engine.text import visible
from tui import shutdown, threads
from tui.messages import ConfigChanged, DevicesFound, PresetPicked
from tui.session import Answer, Session
from tui.throttle import Throttle
from tui.views import BY_ID, VIEWS
from tui.widgets.confirm_dialog import ConfirmDialog
from tui.widgets.path_dialog import PathDialog
from tui.widgets.play_pane import PlayPane
from tui.widgets.race_dialog import RaceDialog
from tui.widgets.race_pane import RacePane
from tui.widgets.race_plot import MAX_CONTESTANTS
from tui.widgets.samples_pane import SamplesPane
from tui.widgets.setup_pane import SetupPane
from tui.widgets.train_pane import TrainPane

# Redraws hold the GIL that the training thread needs, and cost it about twice their own time.
# Text (~2 ms a frame) at most 2 Hz; the plot (~20-30 ms on a small CPU) at most 2 Hz and spaced so
# that rendering it takes at most PLOT_BUDGET of the time: a slow machine redraws it less often.
TEXT_SECONDS, PLOT_SECONDS, PLOT_BUDGET = 0.5, 0.5, 0.01
VIEW_KEYS = Binding.Group("Views", compact=True)


@dataclass
class Reported(Message):
    """A background thread's report (tui/reports.py), brought to the UI thread for the Session."""

    item: Any


class PlaygroundApp(App):
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

    def __init__(self, config: TrainConfig, preset: str | None = None, load: str | None = None,
                 devices: list[tuple[str, str]] | None = None, threads: int | None = None,
                 changes: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.session = Session(self, config, preset, threads, changes, loaded_from=load)
        self.initial_preset, self.load_path, self.known_devices = preset, load, devices
        self.focus_on_setup: str | None = None  # the field to focus once Setup is shown
        self._controls: tuple = ()
        self.asked_at = 0  # eval_count when the playground last answered
        self.sub_title = self.session.subtitle

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(initial="setup" if self.watch is None else "train", id="tabs"):
            for view in VIEWS:
                with TabPane(view.tab_label, id=view.id):
                    yield view.make(self)
        yield Footer()

    def action_help_quit(self) -> None:
        """Ctrl+C: Textual's own hint is markup ("Press [b]ctrl+q[/b]"), shown raw by notify()."""
        self.notify("Press ctrl+q to quit the app.", title="Do you want to quit?")

    def on_mount(self) -> None:
        self.tab = "setup"
        self.train_pane, self.play_pane = self.query_one(TrainPane), self.query_one(PlayPane)
        self.setup_pane = self.query_one(SetupPane)
        self.views_throttle = Throttle(self, TEXT_SECONDS, self.refresh_views)
        self._plotted_at = 0.0
        self.play_pane.set_model(None, self.session.initial_config)
        if self.watch is None:
            self.query_one("#field-preset").focus()
        else:
            self.watch.start()
        if self.known_devices is not None:
            self.setup_pane.set_devices(self.known_devices)
        else:
            self.call_after_refresh(threads.start, "devices", self.probe_devices)
        if self.load_path:
            self.call_after_refresh(self.session.load_from, self.load_path)
        shutdown.on_signals(self)
        self.update_controls()

    def on_unmount(self) -> None:
        self.session.cancel_all()

    def probe_devices(self) -> None:
        from engine.devices import available  # imports torch: after the first frame, off the UI thread

        used = self.session.threads  # what training will use, not what torch has now
        found = [(d.name, f"CPU ({used} thread{'s' * (used != 1)} for training)" if d.name == "cpu" else d.label)
                 for d in available()]
        self.post_message(DevicesFound(found))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """ctrl+p lists the actions the footer offers now, each with its key and tooltip."""
        yield from super().get_system_commands(screen)
        for binding in self.BINDINGS:
            if binding.system or not binding.description or binding.action == "quit":  # Tab: focus, not a command
                continue
            name, _, args = binding.action.partition("(")
            parameters = tuple(a.strip("'\" )") for a in args.split(",") if a.strip("'\" )"))
            if self.check_action(name, parameters):
                yield SystemCommand(f"{binding.description} ({binding.key})", binding.tooltip,
                                    partial(self.run_action, binding.action))

    # -- keys ------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.watch is not None and not self.watch.allows(action, parameters):
            return False
        session = self.session
        if action == "show_tab":
            return parameters[0] != self.tab
        if action == "start":
            return not session.busy  # with bad settings F5 says why and moves to the first bad field
        if action in ("pause", "stop"):
            return session.can_pause_or_stop
        if action == "direction":
            return self.tab == "play" and self.play_pane.reversible
        if action == "save":
            return True if session.selected.trainer is not None else None
        return True  # ctrl+r while a run trains says why it cannot race

    def action_show_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_direction(self) -> None:
        self.play_pane.toggle_direction()

    def action_start(self) -> None:
        self.session.start()

    def action_pause(self) -> None:
        self.session.pause(self.session.selected)

    def action_stop(self) -> None:
        self.session.stop(self.session.selected)

    def action_reset(self) -> None:
        self.session.reset()

    def action_new_seed(self) -> None:
        self.session.reset(new_seed=True)

    def action_race(self) -> None:
        self.session.race()

    def action_save(self) -> None:
        self.session.save(self.session.selected)

    def action_load(self) -> None:
        self.session.load()

    async def action_quit(self) -> None:
        self.session.quit()

    # -- messages --------------------------------------------------------------------------------

    def on_reported(self, message: Reported) -> None:
        if self.train_pane.is_attached:  # else shutting down
            self.session.receive(message.item)

    def on_devices_found(self, message: DevicesFound) -> None:
        self.setup_pane.set_devices(message.devices)

    def on_config_changed(self, message: ConfigChanged) -> None:
        if self.train_pane.is_attached and self.watch is None:  # else shutting down, or watching: no settings
            self.session.set_config(message.config, self.setup_pane.preset)

    def on_preset_picked(self, message: PresetPicked) -> None:
        self.session.pick_preset(message.name)

    def on_race_pane_chosen(self, message: RacePane.Chosen) -> None:
        self.session.choose_contestant(message.index)

    def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self.tab = event.pane.id
        self.set_class(self.tab == "play", "-play")  # notifications go below Play's warnings (app.tcss)
        if not self.train_pane.is_attached:
            return  # shutting down
        view, widget = self.shown_view()
        view.shown(self, widget)
        self.refresh_text()
        self.refresh_plot()
        self.refresh_bindings()

    # -- the Session's Shell ---------------------------------------------------------------------

    def notify(self, message: str, *, markup: bool = False, **kwargs: Any) -> None:
        """Toasts quote paths, errors and data: they are never read as console markup (`[bold]` in a path)."""
        super().notify(message, markup=markup, **kwargs)

    def confirm(self, title: str, detail: str, answered: Answer) -> None:
        self.push_screen(ConfirmDialog(title, detail), answered)

    def ask_path(self, title: str, path: str, answered: Answer, text: str = "", reason: str = "") -> None:
        self.push_screen(PathDialog(title, path, text=text, reason=reason), answered)

    def choose_race(self, config: TrainConfig, answered: Answer) -> None:
        self.push_screen(RaceDialog(config.task, config.seed, MAX_CONTESTANTS), answered)

    def explain_bad_settings(self) -> None:
        """F5 with bad settings: say which and why, and move to the first bad field."""
        errors = self.setup_pane.bad_settings()
        reasons = "; ".join(f"{label}: {why}" for label, why in errors)
        self.notify(visible(reasons or "fix the settings marked on the Setup tab first", 400),
                    title=f"Cannot start: {len(errors)} bad setting{'s' * (len(errors) != 1)}", severity="warning")
        self.focus_setting(self.setup_pane.first_bad_field())

    def focus_setting(self, name: str | None) -> None:
        """Show Setup with the field `name` focused (once the tab is shown, if it was not)."""
        if self.tab == "setup" and self.query_one(TabbedContent).active == "setup":  # shown, none pending
            if name is not None:
                self.setup_pane.focus_field(name)
        else:
            self.focus_on_setup = name
            self.action_show_tab("setup")

    def fill_setup(self, config: TrainConfig, preset: str | None) -> None:
        self.setup_pane.fill(config, preset)

    def set_setting(self, name: str, value: str) -> None:
        self.setup_pane.set_value(name, value)

    def mark_setting(self, name: str, why: str) -> None:
        self.setup_pane.mark(name, why)

    def show_preset(self, preset: str | None) -> None:
        self.setup_pane.show_preset(preset)

    def show_view(self, view: str) -> None:
        self.action_show_tab(view)

    def model_changed(self, model: Any, config: TrainConfig) -> None:
        self.play_pane.set_model(model, config)

    def selected_changed(self) -> None:
        """Play, Train and Samples look as they do for the single run: the header says whose model it is."""
        run = self.session.selected
        self.title = self.TITLE if run.race is None else f"{self.TITLE} · race: {visible(run.name, 24)}"
        self.asked_at = -1  # Play answers again, with this run's model
        self._controls = ()
        self.redraw(replaced=True)

    def redraw(self, *, now: bool = True, replaced: bool = False) -> None:
        if not self.train_pane.is_attached:
            return  # shutting down
        if replaced:
            state = self.session.selected.state
            self.train_pane.show(state)
            self.query_one(SamplesPane).show(state)
            self.refresh_plot(force=True)
        if now:
            self.refresh_text()
            self.refresh_plot()
        else:
            self.views_throttle.request()
        self.update_controls()

    def report(self, item: Any) -> None:
        self.post_message(Reported(item))  # thread-safe; handled on the UI thread

    def leave(self, status: int) -> None:
        """Exit with `status`; answers being computed are abandoned."""
        self.play_pane.predictor.close()
        self.workers.cancel_all()
        self.exit(status)

    # -- drawing ---------------------------------------------------------------------------------

    def shown_view(self) -> tuple[Any, Any]:
        """The view on screen and its widget."""
        view = BY_ID[self.tab]
        return view, self.query_one(TabbedContent).get_pane(self.tab).query_one(view.widget)

    def refresh_views(self) -> None:
        """The throttled redraw: text every time, the plot when its interval has passed."""
        if not self.train_pane.is_attached:
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
        if self.train_pane.is_attached:
            view, widget = self.shown_view()
            view.text(self, widget)

    def refresh_plot(self, force: bool = False) -> None:
        """Redraw the visible view's plot, if it has one and its data changed."""
        if self.train_pane.is_attached:
            view, widget = self.shown_view()
            if view.plot is not None:
                view.plot(self, widget, force)

    def update_controls(self) -> None:
        """Enable the buttons and footer keys that apply now; cheap when nothing changed."""
        if not self.train_pane.is_attached:
            return  # shutting down
        session, state = self.session, self.session.selected.state
        if self.watch is None:
            self.sub_title = session.subtitle
        controls = (session.can_start, state.status, session.selected.model is not None, session.busy)
        if controls == self._controls:
            return  # refresh_bindings() rebuilds the footer: never per event batch
        self._controls = controls
        self.train_pane.set_controls(can_start=controls[0], running=state.training,
                                        paused=state.status == "paused")
        self.refresh_bindings()


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
    return shutdown.finish(app.return_code or app.session.exit_status or 0)
