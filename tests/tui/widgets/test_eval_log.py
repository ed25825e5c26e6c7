"""EvalLog: the newest evaluation lines, cut to its width, in the theme's colours."""

from __future__ import annotations


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
