"""InsidePane: type text and see inside the model: its hidden states, how far back each output
looks, and how sure it is, for one run or a race's contestants side by side.

The app calls `show(runs, sample)` on every redraw while the view is shown: `runs` lists
(name, model, version) for each run, where the model has `inspect(text)` (a Trainer, on its
latest published snapshot, or a loaded checkpoint) and `version` moves when new weights are
published. Inspecting runs in a dedicated thread (tui/predictor.py); new weights are looked at
again at most once per second, and never more often than keeps the time spent inspecting under
INSPECT_BUDGET of the time (measured: inspecting, building the drawing, and Textual's rendering of
it estimated as twice the building), so a training run keeps its speed with the view open. Typing asks at
once; moving the cursor only redraws.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Input, Select, Static

from engine.text import visible
from tui import inside_render, predictor
from tui.widgets.inside_run import InsideRun

HELP = "Type text; ← → pick a position; Enter on an empty line takes the latest sample"
NO_RUN = "(no model yet: F5 trains one, ctrl+o loads one)"
MIN_SECONDS = 1.0  # new weights are looked at again at most this often
INSPECT_BUDGET = 0.01  # ... and at most this share of the time goes to inspecting and drawing them
DRAW_COST = 3  # building the Text is timed here; Textual's rendering of it comes later, about twice that


@dataclass
class InsideAnswer(Message):
    """What inspecting `question` gave: (name, Inside or an error line) per run, and its cost."""

    question: tuple
    results: list
    seconds: float


def printable(text: str) -> str:
    """`text` with each control or format character (a line break, ESC, a direction override) a space."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def look_inside(question: tuple, stop: Any) -> tuple[list, float]:
    """Inspect the text with every run's model (in the inspecting thread)."""
    runs, text = question
    started, results = time.perf_counter(), []
    for name, model in runs:
        if stop.is_set():
            raise predictor.Cancelled
        results.append((name, _inspect(model, text)))
    return results, time.perf_counter() - started


def _inspect(model: Any, text: str) -> Any:
    if not hasattr(model, "inspect"):
        return "this model cannot be inspected"
    try:
        return model.inspect(text)
    except ValueError as error:  # nothing typed, too long, a diverged model
        return f"⚠ {visible(error, 300)}"
    except RuntimeError as error:  # a device fault: say so, the view keeps working
        return f"⚠ inspecting failed: {visible(error, 200)}"


class InsidePane(Vertical):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.runs: list = []  # (name, model, version)
        self.sample: str | None = None
        self.results: dict[str, Any] = {}  # name -> Inside or error line
        self.asked: tuple = ()  # the question being answered
        self.answered_at = 0.0  # when the last answer arrived
        self.spent = 0.0  # seconds the last answer took
        self.later: Any = None  # a timer that comes back for weights that arrived too soon
        self.choices: list = []  # the states the state selector offers
        self.answers = 0  # answers drawn so far
        self.predictor = predictor.Predictor(lambda q: look_inside(q, self.predictor.stop),
                                             lambda q, a: self.post_message(InsideAnswer(q, *a)))

    def compose(self) -> ComposeResult:
        yield Static(HELP, id="inside-help")
        yield Input(placeholder="type text to look inside", id="inside-input")
        with Horizontal(id="inside-options"):
            yield Select([("layer 1 hidden", "h1")], value="h1", allow_blank=False, compact=True, id="inside-state")
            yield Select([(label, key) for key, label in inside_render.ORDERS.items()], value="varying",
                         allow_blank=False, compact=True, id="inside-order")
            yield Static(id="inside-status")
        yield Horizontal(id="inside-runs")

    def on_mount(self) -> None:
        self.watch(self.query_one("#inside-input", Input), "selection", self._cursor_moved, init=False)

    def on_unmount(self) -> None:
        self.predictor.close()

    # -- what the app calls ---------------------------------------------------------------------

    def show(self, runs: list[tuple[str, Any, Any]], sample: str | None = None, training: bool = True) -> None:
        """Look at these runs (name, model with inspect(), weights version); cheap when nothing changed.
        While `training`, new weights wait for the budget; a finished run's last weights are looked at now."""
        sample = sample[: 256] if sample else None
        changed_runs = [(n, id(m)) for n, m, _ in runs] != [(n, id(m)) for n, m, _ in self.runs]
        changed = changed_runs or [v for *_, v in runs] != [v for *_, v in self.runs]
        self.runs, self.sample = list(runs), sample
        if changed_runs:
            self._build_views()
            self.ask()
        elif changed or (self.later is not None and not training):  # a look put off until training ended
            self._ask_when_due(training)

    def text(self) -> str:
        return self.query_one("#inside-input", Input).value

    # -- asking ---------------------------------------------------------------------------------

    def ask(self) -> None:
        """Inspect the text now (it was typed, or the runs changed)."""
        if self.later is not None:
            self.later.stop()
            self.later = None
        runs = tuple((name, model) for name, model, _ in self.runs)
        text = self.text()
        if not runs or not text:
            self.predictor.cancel()
            self.asked, self.results = (), {}
            self._status(NO_RUN if not runs else "type some text, or press Enter to take the latest sample")
            self._draw()
            return
        self.asked = (runs, text)
        self.predictor.ask(self.asked)

    def _ask_when_due(self, training: bool) -> None:
        """New weights: look again once the interval (and the budget) since the last answer has passed."""
        due = self.answered_at + max(MIN_SECONDS, self.spent / INSPECT_BUDGET) - time.monotonic()
        if due <= 0 or not training:
            self.ask()
        elif self.later is None:
            self.later = self.set_timer(due, self._come_back)

    def _come_back(self) -> None:
        self.later = None
        self.ask()

    def on_inside_answer(self, message: InsideAnswer) -> None:
        message.stop()
        if message.question != self.asked:
            return  # for text or runs that were replaced meanwhile
        self.answered_at, self.spent = time.monotonic(), message.seconds
        self.results = dict(message.results)
        self._update_state_choices()
        self.answers += 1
        self._draw()

    # -- drawing --------------------------------------------------------------------------------

    def _build_views(self) -> None:
        box = self.query_one("#inside-runs", Horizontal)
        box.remove_children()
        box.mount_all(InsideRun(name, classes="inside-run") for name, _, _ in self.runs)
        self.results = {}
        self.call_after_refresh(self._draw)  # once they are mounted

    def _draw(self) -> None:
        choice = self.query_one("#inside-state", Select).value
        order = self.query_one("#inside-order", Select).value
        field = self.query_one("#inside-input", Input)
        at = field.cursor_position if field.cursor_position < len(field.value) else None  # at the end: the last
        for view in self.query(InsideRun):
            if view.is_mounted:
                view.show(self.results.get(view.run_name), choice, order, at)
        first = next((r for r in self.results.values() if not isinstance(r, str)), None)
        if self.answers and first is not None:  # the key of the map drawn: an unbounded part is scaled
            self._status(f"{len(self.asked[1])} chars · {inside_render.map_legend(first, choice)}")

    def _update_state_choices(self) -> None:
        first = next((r for r in self.results.values() if not isinstance(r, str)), None)
        if first is None:
            return
        choices = inside_render.state_choices(first)
        select = self.query_one("#inside-state", Select)
        if choices != self.choices:
            self.choices = choices
            keep = select.value if select.value in {value for _, value in choices} else choices[0][1]
            select.set_options(choices)
            select.value = keep

    def _status(self, text: str) -> None:
        self.query_one("#inside-status", Static).update(text)

    # -- events ---------------------------------------------------------------------------------

    def _cursor_moved(self) -> None:
        self._draw()

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        if not event.value.isprintable():  # a paste or a sample: the field would draw them raw
            event.input.value = printable(event.value)  # Changed follows: that one asks
            return
        self.ask()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if not event.value and self.sample:
            event.input.value = printable(self.sample)  # Changed follows: it asks
            event.input.cursor_position = len(event.input.value)

    def on_select_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._draw()
