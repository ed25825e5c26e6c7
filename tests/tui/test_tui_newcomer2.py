"""A second first-time user's review (issue 11): the legend on a tab shown late, the palette, F5's toast,
the load dialog's suggestion and completion, wide characters in aligned rows, and smaller things."""

from __future__ import annotations

import pytest
from tui_helpers import wait_for

SIZES = [(80, 24), (120, 40)]


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
        await wait_for(pilot, lambda: app.state.status == "finished", timeout=60)
        await pilot.pause(0.6)
        await pilot.press("f2")
        await pilot.pause(0.6)
        title = plot_title(app)
        assert "⠒ " in title and "…" not in title, title
        assert "0." in title.split("⠒", 1)[1]  # the training loss value is shown


@pytest.mark.parametrize("width", [50, 66, 78])
def test_a_narrow_legend_shortens_names_and_keeps_every_value(width):
    from tui.widgets.loss_plot import legend

    line = legend([(1500, 0.0123)], [(1500, 0.0456)], [(1500, 0.781)], width, "held-out loss")
    assert len(line) <= width and "…" not in line
    assert "0.0123" in line and "0.0456" in line and "78.1%" in line, line


async def test_the_palette_lists_only_named_commands(app_factory):
    app = app_factory("caesar")
    async with app.run_test(size=(80, 24)):
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert titles and all(not title.startswith("(") for title in titles), titles
        assert not any("(tab)" in title or "(shift+tab)" in title for title in titles)


async def test_cannot_start_names_the_forms_labels_in_its_order_and_focuses_the_first(app_factory):
    from tui_helpers import set_field

    app = app_factory("caesar")
    async with app.run_test(size=(80, 24)) as pilot:
        await set_field(pilot, app, "batch_size", "0")  # typed last to first: the toast keeps the form's order
        await set_field(pilot, app, "embedding", "-3")
        await set_field(pilot, app, "length", "x")
        await set_field(pilot, app, "key", "99")
        app.action_show_tab("train")
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        await pilot.pause()
        message = next(n.message for n in app._notifications if "Cannot start" in (n.title or ""))
        labels = [message.find(label + ":") for label in ("Caesar key", "Length", "Input", "Batch size")]
        assert all(at >= 0 for at in labels) and labels == sorted(labels), message
        assert "batch_size" not in message and "embedding" not in message
        assert app.focused is app.query_one("#field-key")
