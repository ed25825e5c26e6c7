"""InsideRun: one model's Inside: its answer, confidence, connectivity strip and hidden-state map.

The header (text, answer, confidence, the strip and the alternatives at the cursor) stays in view;
the map below it scrolls through the units. Columns follow the cursor when the text is wider than
the widget, so both always show the same positions.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from engine.text import visible
from tui import inside_render


class InsideRun(Vertical):
    def __init__(self, name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.run_name = name
        self.shown: tuple = ()  # (inside or error, choice, order, at): what was last drawn

    def compose(self) -> ComposeResult:
        yield Static(Text(visible(self.run_name, 60), style="bold"), classes="inside-run-name")
        yield Static(classes="inside-header")
        with VerticalScroll(classes="inside-map-scroll"):
            yield Static(classes="inside-map")

    def show(self, result: Any, choice: str, order: str, at: int | None) -> None:
        """Draw `result` (an Inside, an error line, or None while waiting) with the cursor at `at`."""
        self.shown = (result, choice, order, at)
        header, state_map = self.query_one(".inside-header", Static), self.query_one(".inside-map", Static)
        if result is None or isinstance(result, str):
            header.update(Text(visible(result, 300) if result else "… looking inside", style="dim italic"))
            state_map.update("")
            return
        at = len(result.text) - 1 if at is None else min(max(0, at), len(result.text) - 1)
        cols = inside_render.window(len(result.text), at, self.size.width - inside_render.LABEL - 2,
                                    inside_render.widths(result))
        header.update(inside_render.header(result, at, cols))
        state_map.update(inside_render.state_map(result, choice, order, at, cols))

    def on_resize(self) -> None:
        if self.shown:
            self.show(*self.shown)  # the column window depends on the width
