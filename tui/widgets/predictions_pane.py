"""PredictionsPane: the latest evaluation's samples (input, target, output with wrong characters marked)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.marking import count_wrong, marked, percent
from tui.run_state import RunState

LABELS = {"caesar": ("encrypted", "original", "decrypted"), "completion": ("prefix", "expected", "completed"),
          "mapping": ("input", "target", "predicted")}


def samples_text(state: RunState) -> Text:
    latest = state.latest
    if latest is None:
        return Text("No evaluation yet: the samples each evaluation streams appear here.", style="dim")
    names = LABELS.get(state.config.get("task", ""), LABELS["mapping"])
    width = max(map(len, names))
    text = Text(f"step {latest.step:,}  eval loss {latest.loss:.4f}  accuracy {percent(latest.accuracy)}\n\n",
                style="bold")
    for sample in latest.samples:
        text.append(f"{names[0]:>{width}}  {sample.input}\n", style="dim")
        text.append(f"{names[1]:>{width}}  {sample.target}\n")
        text.append(f"{names[2]:>{width}}  ")
        text.append_text(marked(sample.output, sample.target))
        wrong = count_wrong(sample.output, sample.target)
        text.append(f"  {wrong} wrong\n\n" if wrong else "  ✓\n\n", style="dim")
    return text


def shapes_text(state: RunState) -> Text:
    if not state.shapes:
        return Text("")
    text = Text("Tensor shapes of one training step\n", style="bold")
    for line in state.shapes:
        text.append(f"  {line}\n")
    return text


class PredictionsPane(VerticalScroll):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.drawn_version = -1

    def compose(self) -> ComposeResult:
        yield Static(id="samples")
        yield Static(id="shapes")

    def on_mount(self) -> None:
        self.show(RunState())

    def show(self, state: RunState) -> None:
        if state.version == self.drawn_version:
            return
        self.drawn_version = state.version
        self.query_one("#samples", Static).update(samples_text(state))
        self.query_one("#shapes", Static).update(shapes_text(state))
