"""TrainPane: run controls, live stats, progress, the loss plot and one line per evaluation."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button

from engine.text import ELLIPSIS, visible
from tui.marking import clock, generates, held_out, marked, percent, rate, shown
from tui.run_state import RunState
from tui.widgets.eval_log import EvalLog
from tui.widgets.loss_plot import LossPlot
from tui.widgets.stats_block import StatsBlock

STATUS = {"idle": "○ idle", "starting": "◌ starting", "running": "● running", "paused": "‖ paused",
          "stopping": "◌ stopping"}
EVAL_TITLE = {True: "held-out evaluations: loss, accuracy, model output",
              False: "evaluations on the training data: loss, accuracy, model output"}
PREFIX_SHOWN = 12  # characters of a completion's prefix shown before the model's text
PREFIX_END = "▸"  # where the prefix ends and the model's own text begins
FINISHED = {"completed": "✓ completed", "stopped": "■ stopped", "diverged": "✗ diverged", "failed": "✗ failed"}


def status_line(state: RunState) -> Text:
    if state.status == "finished" and state.finished is not None:
        label = FINISHED.get(state.finished.reason, visible(state.finished.reason, 20))
    else:
        label = STATUS.get(state.status, visible(state.status, 20))
    line = Text(label, style="bold")
    total = f"/{state.total_steps:,}" if state.total_steps else ""
    line.append(f"  step {state.step:,}{total}")
    if state.loss is not None:
        line.append(f"  training loss {state.loss:.4f}")  # the plot's name for it (a mean since the last log)
    latest = state.latest
    if latest is not None:
        if latest.accuracy is not None:
            line.append(f"  acc {percent(latest.accuracy)}")
        if latest.bits_per_char is not None:
            line.append(f"  {latest.bits_per_char:.3f} bits/char")
    return line


def detail_line(state: RunState) -> Text:
    if state.status == "starting":
        return Text("Building the model (the first start also loads torch)...", style="dim")
    if not state.run_id and state.watched:
        return Text("Waiting for the run's first line in the metrics file.", style="dim")
    if not state.run_id:
        return Text("Pick a preset on the Setup tab (F1), then press F5 to train.", style="dim")
    line = Text(f"{rate(state.chars_per_s)} chars/s  {clock(state.elapsed)}  {visible(state.device, 20)}  "
                f"{state.parameters:,} params  run {visible(state.run_id, 20)}", style="dim")
    if state.finished is not None and state.finished.message:
        line = Text(visible(state.finished.message), style="bold red" if state.finished.reason != "stopped" else "")
    return line


def model_output(generated: bool, sample) -> Text:
    """The model's output, wrong characters marked; generated text shows the end of its prefix, dimmed."""
    prefix = sample.input
    if not generated or not prefix or not sample.output.startswith(prefix):
        return marked(sample.output, sample.target)
    context = ELLIPSIS + prefix[-PREFIX_SHOWN:] if len(prefix) > PREFIX_SHOWN else prefix
    text = Text(shown(context) + PREFIX_END, style="dim")
    text.append_text(marked(sample.output[len(prefix):], sample.target[len(prefix):]))
    return text


def eval_line(event, generated: bool) -> Text:
    """step, evaluation loss, accuracy and the first sample's output (the log's title says on what data)."""
    line = Text(f"step {event.step:<6} loss {event.loss:.4f}", style="dim")
    if event.accuracy is not None:
        line.append(f"  acc {percent(event.accuracy):>6}", style="dim")
    if event.samples:
        line.append("  model: ", style="dim")
        line.append_text(model_output(generated, event.samples[0]))
    return line


class TrainPane(Vertical):
    """Shows a RunState; show() is called by the app's timer, never per event."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.drawn_version = -1
        self.logged = 0

    def compose(self) -> ComposeResult:
        with Horizontal(id="run-buttons"):
            yield Button("▶ Start F5", id="start", variant="success", compact=True, action="app.start")
            yield Button("‖ Pause F6", id="pause", compact=True, action="app.pause")
            yield Button("■ Stop F7", id="stop", variant="error", compact=True, action="app.stop")
            yield Button("↺ Reset F8", id="reset", compact=True, action="app.reset")
        yield StatsBlock(id="stats")
        yield LossPlot(id="loss-plot")
        yield EvalLog(id="eval-log")

    def on_mount(self) -> None:
        self.query_one(EvalLog).border_title = EVAL_TITLE[True]

    def show(self, state: RunState) -> None:
        if state.version == self.drawn_version:
            return
        self.drawn_version = state.version
        fraction = min(state.step / max(state.total_steps, 1), 1.0)
        self.query_one(StatsBlock).lines = (status_line(state), detail_line(state), fraction)
        log = self.query_one("#eval-log", EvalLog)
        log.border_title = EVAL_TITLE[held_out(state.config) or not state.config]
        count = state.eval_count
        if count < self.logged:
            log.clear()
            self.logged = 0
        new = min(count - self.logged, len(state.evals))
        generated = generates(state.config)
        for event in state.evals[len(state.evals) - new:] if new > 0 else ():
            log.write(eval_line(event, generated))
        self.logged = count

    @property
    def plot_version_shown(self) -> int:
        return self.query_one(LossPlot).drawn_version

    @property
    def plot_render_seconds(self) -> float:
        return self.query_one(LossPlot).render_seconds

    def show_plot(self, state: RunState, force: bool = False) -> bool:
        return self.query_one(LossPlot).show(state, force)

    def set_controls(self, *, can_start: bool, running: bool, paused: bool) -> None:
        self.query_one("#start", Button).disabled = not can_start
        self.query_one("#pause", Button).disabled = not running
        pause = self.query_one("#pause", Button)
        label = "▶ Resume F6" if paused else "‖ Pause F6"
        if str(pause.label) != label:
            pause.label = label
            pause.refresh(layout=True)  # its width was fitted to the old label: "▶ Resume" lost its key
        self.query_one("#stop", Button).disabled = not running
