"""EvalLog: the newest lines that fit, one per evaluation; appending only repaints.

(RichLog grows its virtual size on every write, which re-lays out the whole screen.)
"""

from __future__ import annotations

from collections import deque

from rich.text import Text
from textual.widget import Widget


class EvalLog(Widget):
    DEFAULT_CSS = "EvalLog { height: auto; }"

    def __init__(self, limit: int = 200, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lines: deque[Text] = deque(maxlen=limit)

    def write(self, line: Text) -> None:
        self.lines.append(line)
        self.refresh()

    def clear(self) -> None:
        self.lines.clear()
        self.refresh()

    def render(self) -> Text:
        shown = list(self.lines)[-max(self.size.height, 1):]
        text = Text("\n").join(line.copy() for line in shown)
        text.no_wrap = True
        text.overflow = "ellipsis"
        return text
