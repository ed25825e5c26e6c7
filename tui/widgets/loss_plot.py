"""LossPlot: training loss, held-out loss and accuracy over steps (textual-plotext).

The legend is the title line: plotext draws its legend box over the top left, where a loss curve starts.

A plotext redraw costs ~20-30 ms of Python on a small CPU, time the training thread waits for
the GIL; so the plot rebuilds only when the run state changed, and it times its own rendering
(`render_seconds`) so that the app can space redraws to a budget.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

from rich.text import Text
from textual_plotext import PlotextPlot

from tui.marking import eval_loss_name
from tui.run_state import RunState

TRAIN_MARK, EVAL_MARK, ACCURACY_MARK = "⠒", "•", "+"  # braille, dot, plus: told apart without colour
PARENT_MARK = "x"  # a branch's parent curve: neither braille nor a dot, so not one of this run's series


DRAWABLE = 1e15  # plotext's scale arithmetic overflows on values near float's limit (1e308 crashed the app)


def finite(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop points plotext cannot draw: it raises on inf and nan, and on huge values (a crafted file's)."""
    return [(x, y) for x, y in points if abs(x) <= DRAWABLE and abs(y) <= DRAWABLE]  # False for nan


def downsample(points: Sequence[tuple[float, float]], limit: int) -> list[tuple[float, float]]:
    """At most `limit` points: consecutive buckets averaged, the last point kept exactly."""
    if limit < 2 or len(points) <= limit:
        return list(points)
    size = len(points) / (limit - 1)
    out = []
    for i in range(limit - 1):
        bucket = points[int(i * size): max(int((i + 1) * size), int(i * size) + 1)]
        out.append((bucket[-1][0], sum(y for _, y in bucket) / len(bucket)))
    out.append(points[-1])
    return out


def whole_ticks(low: float, high: float, count: int) -> list[int]:
    """About `count` round whole-step ticks between low and high (plotext's own can be 107.5)."""
    low, high = math.ceil(low), math.floor(high)
    if high <= low:
        return [low]
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next((m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw), 10 * magnitude)
    first = math.ceil(low / step) * step
    return list(range(int(first), high + 1, int(step)))


SHORTER = (  # tried in order until the legend fits: words and names go before any value is cut
    (" (right axis)", ""), ("   ", "  "), (" at step ", " @"), (" accuracy ", " acc "),
    (" training loss ", " train "), (" held-out loss ", " held-out "), (" eval loss (training data) ", " eval "),
    (" to step ", " to "), (" held-out ", " "), (" train ", " "), (" eval ", " "), (" acc ", " "),
)


def legend(losses, evals, accuracy, width: int = 200, eval_name: str = "held-out loss", parent: str = "") -> str:
    """The series' names, markers and latest values: a title line, so no legend box covers the curve.
    A branch names its parent's curve first and its own "this run"."""
    parts = [f"{PARENT_MARK} {parent}"] if parent else []
    if losses:  # at its step: the header's training loss is newer when the plot redraws less often
        name = "this run" if parent else "training loss"
        parts.append(f"{TRAIN_MARK} {name} {losses[-1][1]:.4f} at step {losses[-1][0]:,}")
    elif parent:
        parts.append(f"{TRAIN_MARK} this run")
    if evals:
        parts.append(f"{EVAL_MARK} {eval_name} {evals[-1][1]:.4f}")
    if accuracy:
        parts.append(f"{ACCURACY_MARK} accuracy {100 * accuracy[-1][1]:.1f}% (right axis)")
    line = "   ".join(parts)
    for shorter in SHORTER:
        if len(line) <= width:
            break
        line = line.replace(*shorter)
    return line if len(line) <= width else line[: max(width - 1, 0)] + "…"  # plotext drops a longer title


def columns(points: Sequence[tuple[float, float]]) -> tuple[list[float], list[float]]:
    return [x for x, _ in points], [y for _, y in points]


class LossPlot(PlotextPlot):
    """The loss curve of the current run; redrawn only when RunState.plot_version moved."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.drawn_version = -1
        self.shown_state: RunState | None = None  # redrawn at a new size: widths were measured for the old one
        self.render_seconds = 0.0  # what the last render() took
        self.theme = "clear"
        self._empty()

    def _empty(self, state: RunState | None = None) -> None:
        plt = self.plt
        plt.clear_data()
        training = state is not None and state.training
        idle = "loss (waiting for the run)" if state is not None and state.watched else "loss (press F5 to train)"
        plt.title("loss (the first point comes at the first logged step)" if training else idle)
        plt.xlabel("step")

    def on_resize(self) -> None:
        """A hidden tab measures 0 columns: the legend and the ticks are fitted again once it is shown."""
        if self.shown_state is not None and self.size.width > 0:
            self.show(self.shown_state, force=True)

    def show(self, state: RunState, force: bool = False) -> bool:
        """Rebuild the figure from `state` if it changed; returns whether it redrew."""
        if state.plot_version == self.drawn_version and not force:
            return False
        self.drawn_version = state.plot_version
        self.shown_state = state
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        width = max(self.size.width - 12, 10)
        losses = downsample(finite(state.losses), width)
        branch = state.parent_curve
        self._header(branch)
        parent = downsample(finite(branch.points), width) if branch is not None else []
        if not losses and not state.evals and not parent:
            self._empty(state)
            self.refresh()
            return True
        evals = finite([(e.step, e.loss) for e in state.evals])
        accuracy = finite([(e.step, e.accuracy) for e in state.evals if e.accuracy is not None])
        if parent:
            plt.plot(*columns(parent), marker=PARENT_MARK, color="gray")
        if losses:
            plt.plot(*columns(losses), marker="braille", color="cyan")
        if evals:
            plt.plot(*columns(downsample(evals, width)), marker="dot", color="magenta")
        if accuracy:
            plt.plot(*columns(downsample(accuracy, width)), marker="+", color="green", yside="right")
            plt.ylim(0, 1, yside="right")
        steps = [x for x, _ in parent + losses + evals]
        if steps:
            plt.xticks(whole_ticks(min(steps), max(steps), max(self.size.width // 14, 2)))
        plt.xlabel("step")
        plt.title(legend(losses, evals, accuracy, self.size.width - 2, eval_loss_name(state.config),
                         branch.label if parent else ""))  # a checkpoint saved without its curve: no parent series
        self.refresh()
        return True

    def _header(self, branch) -> None:
        """A branch's plot has a header line above it: which run it branched from, where, and what changed."""
        self.set_class(branch is not None, "-branch")
        self.border_title = Text(branch.line) if branch is not None else None  # Text: never read as markup

    def render(self):
        started = time.perf_counter()
        figure = super().render()
        self.render_seconds = time.perf_counter() - started
        return figure
