"""The views registry: each view is a key, a tab and a palette entry; Inside is given what to look at."""

from __future__ import annotations

from textual.widgets import Static
from tui_helpers import DEVICES, wait_for

from engine import presets
from tui.app import make_app

SIZE = (120, 40)
TINY = presets.get("echo").replace(hidden=16, embedding=4, batch_size=16, length=16, delay=2, steps=30,
                                   log_every=5, eval_every=10, device="cpu", until=0.0)


async def test_every_view_has_its_key_its_tab_and_a_palette_entry():
    from textual.widgets import TabbedContent

    from tui.views import VIEWS

    app = make_app(config=TINY, devices=DEVICES, threads=1)
    async with app.run_test(size=SIZE) as pilot:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "New race (ctrl+r)" in titles
        for view in VIEWS:
            assert view.key not in ("f10", "f11")  # terminal emulators take those
            assert isinstance(app.query_one(TabbedContent).get_pane(view.id).query_one(view.widget), view.widget)
            assert view.id == app.tab or f"{view.title} ({view.key})" in titles
        await pilot.press("f12")
        await wait_for(pilot, lambda: app.tab == "race")
        assert "No race yet" in str(app.query_one("#race-heading", Static).render())
        assert "ctrl+r" in str(app.query_one("#race-heading", Static).render())


async def test_the_inside_view_is_given_a_races_contestants_side_by_side():
    from canned import mid_race

    from tui.views import inspected_runs

    app = make_app("echo", devices=DEVICES)
    async with app.run_test(size=SIZE) as pilot:
        await mid_race()(pilot)
        race = app.session.runs.race
        assert [(name, model) for name, model, _ in inspected_runs(app)] == \
            [(c.label, c.run.trainer) for c in race.contestants]
        app.session.select(app.session.runs.single())
        assert inspected_runs(app) == []  # the single run has no model yet
