"""Snapshots of the Race view mid-race, from recorded events (no training: every screen is the same), and
the legend, table and heading that must fit 80 columns.

Update after an intended change with `pytest tests/tui/widgets/test_race_pane_drawing.py --snapshot-update`
and review the SVGs.
"""

from __future__ import annotations

from canned import mid_race
from tui_helpers import DEVICES

from tui.app import make_app


def test_race_view_mid_race_80x24(snap_compare):
    assert snap_compare(make_app("echo", devices=DEVICES), terminal_size=(80, 24), run_before=mid_race())


def test_race_view_mid_race_120x40(snap_compare):
    assert snap_compare(make_app("echo", devices=DEVICES), terminal_size=(120, 40), run_before=mid_race(450, 1))


def test_race_view_with_eight_contestants_80x24(snap_compare):
    """The most the dialog allows: the legend wraps between entries and every row and column shows."""
    race = mid_race(350, 5, cells=("rnncell", "rnn", "lstm", "gru"), seeds=(0, 1))
    assert snap_compare(make_app("echo", devices=DEVICES), terminal_size=(80, 24), run_before=race)


def test_race_view_without_colour_120x40(snap_compare, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    assert snap_compare(make_app("echo", devices=DEVICES), terminal_size=(120, 40), run_before=mid_race(450, 1))


async def test_eight_contestants_fit_80x24_with_every_legend_entry_whole():
    """The legend was the plot's one-line title: at 80 columns it cut the fourth contestant on."""
    from textual.widgets import DataTable, Static

    app = make_app("echo", devices=DEVICES)
    async with app.run_test(size=(80, 24)) as pilot:
        await mid_race(350, 0, cells=("rnncell", "rnn", "lstm", "gru"), seeds=(0, 1))(pilot)
        legend = str(app.query_one("#race-legend", Static).render()).splitlines()
        assert len(legend) == 2 and all(len(line) <= 80 for line in legend)
        entries = [c.label for c in app.session.runs.race.contestants]
        assert all(sum(label in line for line in legend) == 1 for label in entries)  # never broken
        table = app.query_one("#race-table", DataTable)
        assert table.row_count == 8 and table.virtual_size.width <= table.size.width  # no column cut off
        assert table.size.height == 9 and app.query_one("#race-plot").size.height >= 8
        assert len(str(app.query_one("#race-heading", Static).render())) < 80


def test_the_longest_heading_is_one_line_at_80_columns():
    from tui.runs import Contestant, Race, Run
    from tui.widgets.race_pane import heading

    run = Run("rnncell seed 0")
    run.state.config = {"task": "completion"}
    race = Race([Contestant(run, "rnncell", 0)], 0.99, finished=True)
    line = str(heading(race, None))
    assert line.startswith("✓ race over  completion  target 99%") and line.endswith("ctrl+r: new race")
    assert len(line) <= 79


async def test_a_new_race_replaces_the_legend():
    from textual.widgets import Static

    app = make_app("echo", devices=DEVICES)
    async with app.run_test(size=(80, 24)) as pilot:
        await mid_race()(pilot)
        await mid_race(100, 0, cells=("lstm",), seeds=(4,))(pilot)
        assert str(app.query_one("#race-legend", Static).render()) == "accuracy by step:  • lstm seed 4"
