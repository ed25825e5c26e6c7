"""Wrong characters are marked with underline (visible with NO_COLOR too), plot data is cleaned,
and the evaluation log shows its newest lines."""

from __future__ import annotations

import math

from rich.console import Console

from tui.marking import WRONG, count_wrong, marked
from tui.widgets.loss_plot import downsample, finite


def test_marked_underlines_exactly_the_wrong_characters():
    text = marked("AXCD", "ABC")
    console = Console()
    styles = [str(text.get_style_at_offset(console, i)) for i in range(len(text))]
    wrong = [i for i, style in enumerate(styles) if style == WRONG]
    assert "underline" in WRONG
    assert wrong == [1, 3]  # a wrong character, and one past the expected text
    assert count_wrong("AXCD", "ABC") == 2 and count_wrong("AB", "ABC") == 1 and count_wrong("ABC", "ABC") == 0


def test_plot_points_are_finite_and_at_most_the_width():
    points = [(i, 1.0 / (i + 1)) for i in range(1000)] + [(1000, math.inf), (1001, math.nan)]
    clean = finite(points)
    assert len(clean) == 1000
    small = downsample(clean, 50)
    assert len(small) == 50 and small[-1] == clean[-1] and small[0][0] < small[-1][0]


async def test_eval_log_shows_the_newest_lines_cut_to_its_width():
    from rich.text import Text
    from textual.app import App

    from tui.widgets.eval_log import EvalLog

    class LogApp(App):
        CSS = "EvalLog { width: 12; height: 3; }"

        def compose(self):
            yield EvalLog(limit=4)

    app = LogApp()
    async with app.run_test() as pilot:
        log = app.query_one(EvalLog)
        for i in range(8):
            log.write(Text(f"step {i} " + "x" * i))
        await pilot.pause()
        shown = [log.render_line(y).text for y in range(3)]
        assert shown == ["step 5 xxxxx", "step 6 xxxx…", "step 7 xxxx…"]
        assert len(log.lines) == 4 and len(log._strips) <= 4  # old lines and their strips are dropped
        dark = list(log.render_line(0))[0].style.bgcolor
        app.theme = "textual-light"  # the palette's theme switch: cached lines take the new colours
        await pilot.pause()
        assert list(log.render_line(0))[0].style.bgcolor != dark
        log.clear()
        assert log.render_line(0).text == " " * 12
