"""The race dialog and ctrl+r: the heading names the task from the first frame (fresh app, loaded checkpoint),
ctrl+r while something trains says what is in the way, and the keyboard alone ticks cells, types seeds and
races (or cancels) with Enter.
"""

from __future__ import annotations

from textual.widgets import Static
from tui_helpers import DEVICES, notices, race_from_dialog, wait_for

import engine
from engine import presets
from tui.app import make_app
from tui.widgets.race_dialog import RaceDialog

SIZE = (80, 24)
TINY = presets.get("echo").replace(hidden=16, embedding=4, batch_size=16, length=16, delay=2, steps=30,
                                   log_every=5, eval_every=10, device="cpu", until=0.0)  # runs its budget


def heading(app) -> str:
    return str(app.query_one("#race-heading", Static).render())


async def test_ctrl_r_as_the_first_key_of_a_fresh_app_names_the_task_before_any_event():
    """The heading read the task from the first contestant's RunStarted: until then it was blank."""
    app = make_app(devices=DEVICES, threads=1)  # the default preset, caesar
    async with app.run_test(size=SIZE) as pilot:
        app.session.start_thread = lambda *thread: None  # no thread: the race is caught before its first event
        await race_from_dialog(pilot)
        await wait_for(pilot, lambda: app.tab == "race")
        await pilot.pause()
        assert heading(app).startswith("● racing  caesar  target 99%")
        assert all(c.run.state.config["task"] == "caesar" for c in app.session.runs.race.contestants)


async def test_a_race_from_a_loaded_checkpoint_names_the_checkpoints_task(tmp_path):
    trainer = engine.Trainer(TINY.replace(steps=5))
    list(trainer.run())
    path = tmp_path / "echo.safetensors"
    trainer.save(str(path))
    app = make_app(load=str(path), devices=DEVICES, threads=1)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.session.selected.model is not None)
        app.session.start_thread = lambda *thread: None
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, RaceDialog))
        assert "(echo)" in str(app.screen.query_one("#race-title").render())
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.session.runs.race is not None and app.tab == "race")
        await pilot.pause()
        assert heading(app).startswith("● racing  echo  target 99%")


async def test_ctrl_r_while_a_run_trains_says_so_and_works_once_it_is_stopped():
    """The binding was disabled while busy: ctrl+r did nothing, with no word why."""
    app = make_app(config=TINY.replace(steps=100_000), devices=DEVICES, threads=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.state.step > 0, timeout=60)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert not isinstance(app.screen, RaceDialog) and app.session.runs.race is None
        assert "A run is training: stop it (F7) before starting a race." in notices(app)
        assert app.session.selected.state.status == "running"  # the run trains on, untouched
        await pilot.press("f7")
        await wait_for(pilot, lambda: not app.session.busy, timeout=30)
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, RaceDialog))


async def test_ctrl_r_during_a_race_says_a_race_is_training():
    app = make_app(config=TINY.replace(steps=100_000), devices=DEVICES, threads=1)
    async with app.run_test(size=SIZE) as pilot:
        await race_from_dialog(pilot)
        race = app.session.runs.race
        await wait_for(pilot, lambda: all(c.run.state.step > 0 for c in race.contestants), timeout=60)
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert not isinstance(app.screen, RaceDialog) and app.session.runs.race is race
        assert "A race is training: stop it (F7) before starting a race." in notices(app)
        await pilot.press("f7")
        await wait_for(pilot, lambda: race.finished, timeout=30)


async def test_the_keyboard_alone_ticks_a_cell_types_seeds_and_races_with_enter():
    """Enter on a ticked box un-ticked it (Textual's checkbox takes Enter) though the button says Race (enter)."""
    app = make_app("echo", devices=DEVICES, threads=1)
    async with app.run_test(size=SIZE) as pilot:
        app.session.start_thread = lambda *thread: None
        await pilot.pause()
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, RaceDialog))
        await pilot.pause()
        await pilot.press("shift+tab", *"0,1")  # the Race button -> the seeds field
        await pilot.press(*["shift+tab"] * 4, "space")  # -> rnncell, ticked
        assert app.screen.focused.id == "race-cell-rnncell" and app.screen.focused.value
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.session.runs.race is not None)
        assert [c.label for c in app.session.runs.race.contestants] == [
            f"{cell} seed {seed}" for seed in (0, 1) for cell in ("rnncell", "rnn", "lstm", "gru")]


async def test_enter_on_the_cancel_button_still_cancels():
    app = make_app("echo", devices=DEVICES, threads=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, RaceDialog))
        await pilot.pause()
        await pilot.press("tab")
        assert app.screen.focused.id == "race-cancel"
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, RaceDialog))
        assert app.session.runs.race is None
