"""The views registry: every tab of the app is one View here, so adding a view is one new widget
module plus one line in VIEWS (its key becomes a binding, a tab and a command palette entry).

A View says how to build its widget and how to redraw it from the app (the selected run, the race):
`text` on every throttled redraw while it is shown, `plot` for costly figures (spaced to a budget by
the app), `stale` whether a plot is behind its data, and `shown` what to focus when it appears.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.widget import Widget

from tui.widgets.inside_pane import InsidePane
from tui.widgets.play_pane import PlayPane
from tui.widgets.race_pane import RacePane
from tui.widgets.samples_pane import SamplesPane
from tui.widgets.setup_pane import SetupPane
from tui.widgets.train_pane import TrainPane

Hook = Callable[[Any, Any], Any]  # (app, widget)


def _nothing(app: Any, widget: Any) -> None:
    return None


@dataclass(frozen=True)
class View:
    id: str  # the tab's id and show_tab's argument
    title: str
    key: str  # the binding that shows it (not F10/F11: terminal emulators take them)
    shows: str  # what it shows: the footer's and the command palette's help
    widget: type[Widget]
    make: Callable[[Any], Widget]  # the widget, built for the app
    text: Hook = _nothing  # cheap redraw from the app's state
    plot: Callable[[Any, Any, bool], Any] | None = None  # costly redraw (app, widget, force)
    stale: Hook = _nothing  # True while the plot is behind its data
    shown: Hook = _nothing  # the tab was just shown: focus what the user types into

    @property
    def tab_label(self) -> str:
        """"Race F12", "Inside ^n": the title and the key that shows it."""
        key = self.key.upper() if self.key.startswith("f") else self.key.replace("ctrl+", "^")
        return f"{self.title} {key}"


# -- the hooks of the built-in views ------------------------------------------------------------

def _setup_shown(app: Any, pane: SetupPane) -> None:
    if app.focus_on_setup is not None:
        app.call_after_refresh(pane.focus_field, app.focus_on_setup)  # once it is shown
        app.focus_on_setup = None
    elif app.focused is None or SetupPane not in map(type, app.focused.ancestors):
        app.query_one("#field-preset").focus()


def _ask_again(app: Any, pane: PlayPane) -> None:
    count = app.session.selected.state.eval_count
    if count != app.asked_at:
        app.asked_at = count
        pane.ask()  # new weights: answer again


def _show_race(app: Any, pane: RacePane) -> None:
    runs = app.session.runs
    pane.show(runs.race, runs.selected, runs.selected.gate)


def inspected_runs(app: Any) -> list[tuple[str, Any, int]]:
    """(name, model, weights version) to look inside: a race's contestants side by side when one of
    them is selected, else the selected run."""
    selected = app.session.selected
    runs = [c.run for c in selected.race.contestants] if selected.race is not None else [selected]
    return [(run.name if run.race else getattr(run.model.config, "cell", "model"), run.model,
             run.state.eval_count) for run in runs if run.model is not None]


def _show_inside(app: Any, pane: InsidePane) -> None:
    state = app.session.selected.state
    latest = state.latest
    sample = latest.samples[0].input if latest and latest.samples else None
    pane.show(inspected_runs(app), sample, training=state.training)


VIEWS: tuple[View, ...] = (
    View("setup", "Setup", "f1", "Presets and every run setting", SetupPane,
         lambda app: SetupPane(app.session.initial_config, app.initial_preset, id="config"), shown=_setup_shown),
    View("train", "Train", "f2", "Stats and the loss plot", TrainPane,
         lambda app: TrainPane(id="training"), text=lambda app, pane: pane.show(app.session.selected.state),
         plot=lambda app, pane, force: pane.show_plot(app.session.selected.state, force),
         stale=lambda app, pane: app.session.selected.state.plot_version != pane.plot_version_shown),
    View("samples", "Samples", "f3", "Latest predictions, marked", SamplesPane,
         lambda app: SamplesPane(id="predictions"), text=lambda app, pane: pane.show(app.session.selected.state)),
    View("play", "Play", "f4", "Type text, see the model answer", PlayPane,
         lambda app: PlayPane(id="playground"), text=_ask_again,
         shown=lambda app, pane: app.query_one("#play-input").focus()),
    View("race", "Race", "f12", "Cells racing on the same data: curves and results", RacePane,
         lambda app: RacePane(id="race-pane"), text=_show_race,
         plot=lambda app, pane, force: pane.show_plot(app.session.runs.race, force),
         stale=lambda app, pane: pane.plot_stale(app.session.runs.race), shown=lambda app, pane: pane.focus_table()),
    View("inside", "Inside", "ctrl+n", "Hidden states, how far back each output looks, confidence", InsidePane,
         lambda app: InsidePane(id="inside-pane"), text=_show_inside,
         shown=lambda app, pane: app.query_one("#inside-input").focus()),
)
BY_ID = {view.id: view for view in VIEWS}
