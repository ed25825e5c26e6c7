"""RacePane: a race's contestants side by side: their curves overlaid, and the results as they fill.

Each contestant has its own marker character, shown in the legend, on its curve and in its table
row, so the curves are told apart without colour (NO_COLOR). Enter on a row (or a click) selects that
contestant: Play, Train and Samples then use its model. Everything fits 80 columns: the heading is
one line, the legend wraps between entries, and the table has no column the heading already says.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, Static

from engine.text import visible
from tui.marking import percent
from tui.runs import Contestant, Race, Run
from tui.widgets.race_plot import LABEL_LIMIT, RacePlot, legend, marker

# The race's state (racing, paused, over) is the heading's; a row says how its contestant stands.
COLUMNS = ("", "contestant", "step", "to target", "accuracy", "loss", "ms/step", "params")
STATUS = {"starting": "starting", "running": "racing", "paused": "paused", "stopping": "stopping", "idle": "waiting"}
HINT = "ctrl+r: race the Setup's task with several cells (choose them, seeds optional)"


def to_target(contestant: Contestant) -> str:
    """The step it reached the target at; else how it stands: racing, never (ran out), stopped..."""
    if contestant.steps_to_target is not None:
        return f"{contestant.steps_to_target:,}"
    state = contestant.run.state
    if state.status == "finished" and state.finished is not None:
        return "never" if state.finished.reason == "completed" else visible(state.finished.reason, 9)
    return STATUS.get(state.status, visible(state.status, 9))


def row(index: int, contestant: Contestant, selected: bool) -> tuple[Any, ...]:
    state, result = contestant.run.state, contestant.result or {}
    latest = state.latest
    ms = result.get("ms_per_step")
    pointer = "▶" if selected else " "
    return (f"{pointer}{marker(index)}", visible(contestant.label, LABEL_LIMIT), f"{state.step:,}",
            to_target(contestant), percent(latest.accuracy) if latest and latest.accuracy is not None else "-",
            f"{latest.loss:.4f}" if latest else "-", f"{ms:.2f}" if ms is not None else "-",
            f"{state.parameters:,}" if state.parameters else "-")


def heading(race: Race | None, gate: Any) -> Text:
    """One line of at most 79 columns: the race's state, task and target, then the keys."""
    if race is None:
        return Text(f"No race yet. {HINT}.", style="dim")
    if race.finished:
        line = Text("✓ race over", style="bold")
    elif gate is not None and getattr(gate, "paused", False):
        line = Text("‖ paused", style="bold")
    else:
        line = Text("● racing", style="bold")
    config = race.contestants[0].run.state.config
    task = visible(config.get("task", ""), 12) if config else ""
    line.append(f"  {task}  target {race.target:.0%}  ", style="")
    line.append("enter: play with a row  ctrl+r: new race", style="dim")
    return line


class RacePane(Vertical):
    """Shows the latest race; show() and show_plot() are called by the app's throttled redraw."""

    class Chosen(Message):
        """The user chose a contestant's row (Enter or a click)."""

        def __init__(self, index: int) -> None:
            super().__init__()
            self.index = index

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.drawn: tuple = ()
        self.plotted: tuple = ()
        self.legend_key: tuple = ()
        self.race: Race | None = None
        self.shown_rows: list[tuple[Any, ...]] = []

    def compose(self) -> ComposeResult:
        yield Static(heading(None, None), id="race-heading")
        yield Static("", id="race-legend")
        yield RacePlot(id="race-plot")
        table = DataTable(id="race-table", cursor_type="row", zebra_stripes=False)
        table.add_columns(*COLUMNS)
        yield table

    def focus_table(self) -> None:
        self.query_one(DataTable).focus()

    def show(self, race: Race | None, selected: Run | None, gate: Any = None) -> None:
        """Redraw the heading and the results if anything they show changed."""
        key = (id(race), id(selected), getattr(gate, "paused", False)) + (
            (race.version, race.finished, *(c.run.state.version for c in race.contestants)) if race else ())
        if key == self.drawn:
            return
        self.drawn, self.race = key, race
        self.query_one("#race-heading", Static).update(heading(race, gate))
        self.show_legend()
        rows = [row(i, c, c.run is selected) for i, c in enumerate(race.contestants)] if race else []
        self._fill(rows)

    def show_legend(self) -> None:
        """The legend for this width; it changes with the race, the task's measure and a resize."""
        race = self.race
        task = race.contestants[0].run.state.config.get("task") if race and race.contestants else None
        labels = tuple(c.label for c in race.contestants) if race else ()  # not id(race): ids are reused
        key = (task, self.size.width, labels)
        if key != self.legend_key:
            self.legend_key = key
            self.query_one("#race-legend", Static).update(legend(race, self.size.width))

    def on_resize(self, event: events.Resize) -> None:
        self.show_legend()

    def _fill(self, rows: list[tuple[Any, ...]]) -> None:
        """Change only the cells that changed: rebuilding the table costs the training thread ~10x more."""
        table = self.query_one(DataTable)
        if table.row_count != len(rows):
            table.clear()
            for values in rows:
                table.add_row(*values)
            self.shown_rows = rows
            return
        for r, (old, new) in enumerate(zip(self.shown_rows, rows, strict=True)):
            for c, (was, value) in enumerate(zip(old, new, strict=True)):
                if was != value:
                    table.update_cell_at(Coordinate(r, c), value, update_width=True)
        self.shown_rows = rows

    @property
    def plot_render_seconds(self) -> float:
        return self.query_one(RacePlot).render_seconds

    def plot_stale(self, race: Race | None) -> bool:
        return self._plot_key(race) != self.plotted

    def _plot_key(self, race: Race | None) -> tuple:
        return (id(race),) + (tuple(c.run.state.plot_version for c in race.contestants) if race else ())

    def show_plot(self, race: Race | None, force: bool = False) -> bool:
        key = self._plot_key(race)
        if key == self.plotted and not force:
            return False
        self.plotted = key
        plot = self.query_one(RacePlot)
        plot.draw(race)
        return True

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.post_message(self.Chosen(event.cursor_row))
