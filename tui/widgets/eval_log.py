"""EvalLog: the newest lines that fit, one per evaluation; appending renders only the new line.

(RichLog grows its virtual size on every write, which re-lays out the whole screen; re-rendering
every line on each write cost ~15 ms. Here each line becomes a Strip once per width.)
"""

from __future__ import annotations

from collections import deque

from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from tui.marking import one_line


class EvalLog(Widget):
    DEFAULT_CSS = "EvalLog { height: auto; }"

    def __init__(self, limit: int = 200, **kwargs) -> None:
        super().__init__(**kwargs)
        self.lines: deque[Text] = deque(maxlen=limit)
        self._strips: dict[int, Strip] = {}  # id(line) -> its strip, drawn at _strips_key
        self._strips_key: tuple = ()  # (width, base style): a resize or a theme change redraws all

    def write(self, line: Text) -> None:
        """Add a line; a line break or a control character in it is drawn as a visible symbol."""
        line = one_line(line)
        if len(self.lines) == self.lines.maxlen:
            self._strips.pop(id(self.lines[0]), None)
        self.lines.append(line)
        self.refresh()

    def clear(self) -> None:
        self.lines.clear()
        self._strips.clear()
        self.refresh()

    def render_line(self, y: int) -> Strip:
        (width, height), style = self.size, self.rich_style
        index = len(self.lines) - min(height, len(self.lines)) + y  # the newest lines, oldest on top
        if not 0 <= index < len(self.lines):
            return Strip.blank(width, style)
        if (width, style) != self._strips_key:
            self._strips.clear()
            self._strips_key = (width, style)
        line = self.lines[index]
        strip = self._strips.get(id(line))
        if strip is None:
            text = line.copy()
            text.truncate(width, overflow="ellipsis")
            text.stylize_before(style)
            strip = Strip(text.render(self.app.console)).extend_cell_length(width, style)
            self._strips[id(line)] = strip
        return strip
