"""StatsBlock: status, details and a progress bar in one three-line widget that only repaints.

One widget (not three, and not Static or ProgressBar, which re-lay out the screen on update) keeps
each stats refresh to a single small render.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from tui.marking import one_line


def progress_bar(fraction: float, width: int) -> Text:
    width = max(width - 6, 1)
    done = int(round(fraction * width))
    text = Text("━" * done, style="bold green")
    text.append("─" * (width - done), style="dim")
    text.append(f" {100 * fraction:3.0f}%")
    return text


class StatsBlock(Widget):
    DEFAULT_CSS = "StatsBlock { height: 3; }"

    lines: reactive[tuple[Text, Text, float]] = reactive(lambda: (Text(), Text(), 0.0), layout=False)

    def render(self) -> Text:
        status, detail, fraction = self.lines
        text = Text("\n").join([one_line(status), one_line(detail), progress_bar(fraction, self.size.width)])
        text.no_wrap, text.overflow = True, "ellipsis"
        return text
