"""TextLine: one line of rich Text that repaints without asking for a new layout.

Static.update() re-lays out the whole screen; for stats that change several times a second a
fixed-size line that only repaints is much cheaper.
"""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget


class TextLine(Widget):
    DEFAULT_CSS = "TextLine { height: 1; }"

    text: reactive[Text] = reactive(Text, layout=False)

    def render(self) -> Text:
        return self.text
