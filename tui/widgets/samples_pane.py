"""SamplesPane: the latest evaluation's samples: input, expected text and the model's output.

The three strings are drawn position by position in rows cut to the pane's width, so that each
character of the output sits under the character it should have been; a marker row puts ^ under
the wrong ones (visible without colour too).
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from engine.text import visible
from tui.marking import (
    MARKER,
    MISSING,
    RIGHT,
    WRONG,
    aligned,
    count_wrong,
    eval_loss_name,
    percent,
    rows_of,
    task_of,
    wrong_flags,
)
from tui.run_state import RunState

NO_RUN = ("input", "target", "model output")  # samples without a run's config (a metrics file's middle)
LABEL_WIDTH = 13  # "held-out text", the widest built-in label: the rows line up; a task's wider label widens them
DEFAULT_WIDTH = 78


def labels(config: dict) -> tuple[str, str, str]:
    """The run's task names the three rows (engine.tasks: sample_labels)."""
    found = task_of(config)
    return NO_RUN if found is None else found[0].sample_labels(found[1])


def heading(state: RunState) -> Text:
    latest = state.latest
    text = Text()  # (a style given to Text() would cover everything appended to it: the whole pane)
    text.append(f"step {latest.step:,}  {eval_loss_name(state.config)} {latest.loss:.4f}", style="bold")
    if latest.accuracy is not None:
        text.append(f"  accuracy {percent(latest.accuracy)}", style="bold")
    if latest.bits_per_char is not None:
        text.append(f"  {latest.bits_per_char:.3f} bits/char", style="bold")
    text.append("\nmodel output: wrong characters reversed and marked ^ below\n\n", style="dim")
    return text


def sample_text(sample, names: tuple[str, str, str], width: int) -> Text:
    """One sample as aligned rows: input, expected, model output and a marker row, cut to `width`."""
    columns = aligned(sample.input, sample.target, sample.output)
    wrong = wrong_flags(sample.output, sample.target) + [True] * (len(sample.target) - len(sample.output))
    wrong += [False] * (len(columns) - len(wrong))  # an input longer than both strings
    count = count_wrong(sample.output, sample.target)
    label = max(LABEL_WIDTH, *map(len, names))
    text = Text()
    for row, span in enumerate(rows_of([cell_len(c[0]) for c in columns], max(width - label - 2, 8))):
        row_names = names if row == 0 else ("", "", "")
        given = "".join(columns[i][0] for i in span).rstrip()
        if given:
            text.append(f"{row_names[0]:>{label}}  {given}\n", style="dim")
        text.append(f"{row_names[1]:>{label}}  " + "".join(columns[i][1] for i in span).rstrip() + "\n")
        text.append(f"{row_names[2]:>{label}}  ")
        for i in span:
            output = columns[i][2]
            if i >= len(sample.output) and wrong[i]:  # the output stopped short: show the gap
                output = MISSING.ljust(cell_len(output) or 1)
            text.append(output, WRONG if wrong[i] else RIGHT)
        summary = (f"{count} wrong" if count else "✓ all right") if row == 0 else ""
        markers = "".join((MARKER if wrong[i] else " ").ljust(cell_len(columns[i][2])) for i in span)
        text.append(f"\n{summary:>{label}}  ", style="dim")
        text.append(markers.rstrip() + "\n", style="bold")
    return text


def samples_text(state: RunState, width: int = DEFAULT_WIDTH) -> Text:
    if state.latest is None:
        return Text("No evaluation yet: the samples each evaluation streams appear here.", style="dim")
    names = labels(state.config)
    text = heading(state)
    for sample in state.latest.samples:
        text.append_text(sample_text(sample, names, width))
        text.append("\n")
    return text


def shapes_text(state: RunState) -> Text:
    if not state.shapes:
        return Text("")
    text = Text("Tensor shapes of one training step\n", style="bold")
    for line in state.shapes:
        text.append(f"  {visible(line)}\n")
    return text


class SamplesPane(VerticalScroll):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.drawn_version = -1
        self.drawn_width = 0
        self.state = RunState()

    def compose(self) -> ComposeResult:
        yield Static(id="samples")
        yield Static(id="shapes")

    def on_mount(self) -> None:
        self.show(RunState())

    def on_resize(self) -> None:
        self.show(self.state)  # the rows are cut to the width: a new width redraws them

    def show(self, state: RunState) -> None:
        width = self.scrollable_content_region.width or DEFAULT_WIDTH
        if (state.version, width) == (self.drawn_version, self.drawn_width):
            return
        self.state, self.drawn_version, self.drawn_width = state, state.version, width
        self.query_one("#samples", Static).update(samples_text(state, width))
        self.query_one("#shapes", Static).update(shapes_text(state))
