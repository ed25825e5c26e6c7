"""TrainPane: the run's stats, its buttons and its loss plot as the Train view shows them."""

from __future__ import annotations

import pytest
from tui_helpers import SIZES, redrawn, wait_for


@pytest.mark.parametrize("size", SIZES)
async def test_the_header_and_the_legend_name_one_training_loss(app_factory, size):
    import re

    app = app_factory("hello")
    async with app.run_test(size=size) as pilot:
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
        state, pane = app.session.selected.state, app.train_pane  # the throttled redraw drew the last state
        await wait_for(pilot, lambda: redrawn(app) and pane.drawn_version == state.version, timeout=60)
        header = str(app.query_one("#stats").render())
        plot = app.query_one("#loss-plot").render()
        legend = getattr(plot, "plain", str(plot))
        header_loss = re.search(r"training loss (\d\.\d{4})", header)
        legend_loss = re.search(r"training loss (\d\.\d{4})(?: at step |\s*@)([\d,]+)", legend)
        assert header_loss and legend_loss, (header, legend)
        assert header_loss.group(1) == legend_loss.group(1)  # the same number under the same name
        assert int(legend_loss.group(2).replace(",", "")) == app.session.selected.state.step  # and says at which step
        assert "  loss " not in header  # no unnamed loss beside the held-out one


def plot_title(app) -> str:
    plot = app.query_one("#loss-plot").render()
    text = getattr(plot, "plain", str(plot))
    return next(line for line in text.splitlines() if line.strip())


@pytest.mark.parametrize("size", SIZES)
async def test_a_run_finished_on_another_tab_shows_its_legend_on_the_train_tab(app_factory, size):
    app = app_factory("hello")
    async with app.run_test(size=size) as pilot:
        await pilot.press("f5")
        await pilot.press("f4")  # the Train tab is hidden while the run ends: its plot measures 0 columns
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
        await wait_for(pilot, lambda: redrawn(app), timeout=60)  # the end is handled while Play is shown
        await pilot.press("f2")
        # shown: the plot is drawn at its width (on_resize redraws it once the tab has its size)
        await wait_for(pilot, lambda: "⠒ " in plot_title(app) and "…" not in plot_title(app), timeout=60)
        title = plot_title(app)
        assert "⠒ " in title and "…" not in title, title
        assert "0." in title.split("⠒", 1)[1]  # the training loss value is shown


async def test_paused_the_button_shows_resume_with_its_key(app_factory):
    from textual.widgets import Button

    app = app_factory("caesar")
    async with app.run_test(size=(80, 24)) as pilot:
        app.setup_pane.set_value("steps", "100000")
        await pilot.pause()
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.state.status == "running", timeout=60)
        await pilot.press("f6")
        await wait_for(pilot, lambda: app.session.selected.state.status == "paused", timeout=30)
        button = app.query_one("#pause", Button)
        line = lambda: "".join(segment.text for segment in button.render_line(0))  # noqa: E731
        await wait_for(pilot, lambda: "Resume F6" in line(), timeout=60)  # relabelled, then laid out again
        drawn = line()
        assert "Resume F6" in drawn, drawn
        await pilot.press("f7")
        await wait_for(pilot, lambda: not app.session.selected.state.training, timeout=30)
