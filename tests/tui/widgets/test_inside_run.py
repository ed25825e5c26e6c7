"""InsideRun: one model's Inside; while waiting or on an error it says so in one dim line, and no map."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Static

from tui.widgets.inside_run import InsideRun


async def test_waiting_and_errors_are_one_line_and_clear_the_map():
    class RunApp(App):
        def compose(self):
            yield InsideRun("lstm \x1b[2J")

    app = RunApp()
    async with app.run_test() as pilot:
        run = app.query_one(InsideRun)
        assert str(run.query_one(".inside-run-name", Static).render()) == "lstm \\x1b[2J"  # the name escaped
        run.show(None, "h1", "varying", None)
        await pilot.pause()
        assert str(run.query_one(".inside-header", Static).render()) == "… looking inside"
        run.show("too long:\nat most 256", "h1", "varying", 3)
        await pilot.pause()
        assert str(run.query_one(".inside-header", Static).render()) == "too long:⏎at most 256"
        assert str(run.query_one(".inside-map", Static).render()) == ""
        assert run.shown == ("too long:\nat most 256", "h1", "varying", 3)
