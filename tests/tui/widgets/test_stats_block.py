"""StatsBlock: three lines (status, detail, a progress bar), each one line whatever the data holds."""

from __future__ import annotations

from rich.text import Text
from textual.app import App

from tui.widgets.stats_block import StatsBlock, progress_bar


def test_the_progress_bar_fills_its_width_and_says_the_percentage():
    bar = progress_bar(0.5, 26).plain
    assert bar == "━" * 10 + "─" * 10 + "  50%" and len(bar) == 25
    assert progress_bar(1.0, 3).plain == "━ 100%"  # never narrower than one cell


async def test_the_three_lines_are_drawn_escaped_on_one_line_each():
    class StatsApp(App):
        CSS = "StatsBlock { width: 30; }"

        def compose(self):
            yield StatsBlock()

    app = StatsApp()
    async with app.run_test() as pilot:
        block = app.query_one(StatsBlock)
        block.lines = (Text("● running"), Text("corpus\x1b[2J\nline two"), 0.25)
        await pilot.pause()
        rows = [block.render_line(y).text for y in range(3)]
        assert rows[0].startswith("● running") and rows[1].startswith("corpus\\x1b[2J⏎")
        assert "25%" in rows[2] and all(row.isprintable() for row in rows)
