"""RacePlot: a race's contestants' held-out accuracy (or loss) over steps, one marker each, and the
legend line above it that names each marker.

The legend is not plotext's title: a title is one line, cut at 80 columns once a race has more than
three contestants. `legend()` packs whole entries into as many lines as the width needs, and shows
each marker in its curve's colour; the marker, not the colour, tells the curves apart (NO_COLOR).
"""

from __future__ import annotations

import time

from rich.text import Text
from textual_plotext import PlotextPlot

from engine.text import visible
from tui.marking import task_of
from tui.runs import Race, Run
from tui.widgets.loss_plot import columns, downsample, finite, whole_ticks

MARKERS = "•+xo*#=%"  # one per contestant, in the legend, on the curve and in the table
COLOURS = ("cyan", "magenta", "green", "yellow", "red", "blue", "white", "orange")  # plotext's names
RICH_COLOURS = {"orange": "orange1"}  # the legend's name for the same colour, where Rich's differs
MAX_CONTESTANTS = len(MARKERS)
LABEL_LIMIT = 16  # "rnncell seed 123" whole; a seed of 19 digits is cut


def marker(index: int) -> str:
    return MARKERS[index % len(MARKERS)]


def score_series(run: Run) -> tuple[str, list[tuple[float, float]]]:
    """What the run's task is scored by (engine.tasks: scored_by), per evaluation: accuracy, else the loss."""
    evals = run.state.evals
    found = task_of(run.state.config)
    if found is None or found[0].scored_by == "accuracy":  # None: before the race's first contestant starts
        return "accuracy", finite([(e.step, e.accuracy) for e in evals if e.accuracy is not None])
    return "loss", finite([(e.step, e.loss) for e in evals])


def legend(race: Race | None, width: int) -> Text:
    """"accuracy by step:  • rnn seed 0  + lstm seed 0 ...", broken between entries to fit `width`."""
    if race is None or not race.contestants:
        return Text("")
    measure = score_series(race.contestants[0].run)[0]
    text, used = Text(f"{measure} by step:", style="bold"), len(measure) + 9
    for index, contestant in enumerate(race.contestants):
        entry = f"{marker(index)} {visible(contestant.label, LABEL_LIMIT)}"
        if used + 2 + len(entry) > width:
            text.append("\n")
            used = -2  # a continued line starts with the entry itself
        else:
            text.append("  ")
        colour = COLOURS[index % len(COLOURS)]
        text.append(marker(index), style=f"bold {RICH_COLOURS.get(colour, colour)}")
        text.append(entry[1:])
        used += 2 + len(entry)
    return text


class RacePlot(PlotextPlot):
    """The contestants' curves; render() times itself so that the app can space redraws."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.theme = "clear"
        self.render_seconds = 0.0
        self.draw(None)

    def draw(self, race: Race | None) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if race is None:
            self.refresh()
            return
        width = max(self.size.width - 12, 10)
        steps, measure = [], "accuracy"
        for index, contestant in enumerate(race.contestants):
            measure, points = score_series(contestant.run)
            if points:
                plt.plot(*columns(downsample(points, width)), marker=marker(index), color=COLOURS[index % 8])
                steps += [x for x, _ in points]
        if measure == "accuracy":
            plt.ylim(0, 1)
        if steps:
            plt.xticks(whole_ticks(min(steps), max(steps), max(self.size.width // 14, 2)))
        self.refresh()

    def render(self):
        started = time.perf_counter()
        figure = super().render()
        self.render_seconds = time.perf_counter() - started
        return figure
