"""The Race view: a race started from the Setup with ctrl+r, its results table, choosing a contestant
for Play, stopping and pausing the whole race, and never losing a contestant's weights unasked.

The races here are real (engine.race on a tiny echo model, a few seconds on one thread).
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, Input, Static
from tui_helpers import DEVICES, wait_for

from engine import presets
from tui.app import make_app
from tui.widgets.confirm_dialog import ConfirmDialog
from tui.widgets.race_dialog import CellBox, RaceDialog

SIZE = (120, 40)
TINY = presets.get("echo").replace(hidden=16, embedding=4, batch_size=16, length=16, delay=2, steps=30,
                                   log_every=5, eval_every=10, device="cpu", until=0.0)  # runs its budget


def tiny_app(steps: int = 30):
    return make_app(config=TINY.replace(steps=steps), devices=DEVICES, threads=1)


def table_rows(app) -> list[list[str]]:
    table = app.query_one("#race-table", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def press_race(pilot) -> None:
    """Click the dialog's Race button once the dialog is laid out, and let its answer arrive. A button
    ignores clicks for 0.2 s after the last one (its press animation): wait that out, as a person does."""
    await pilot.pause()
    await wait_for(pilot, lambda: not pilot.app.screen.query_one("#race-go").has_class("-active"))
    await pilot.click("#race-go")
    await pilot.pause()


async def start_race(pilot, seeds: str = "") -> None:
    await pilot.press("ctrl+r")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RaceDialog))
    if seeds:
        pilot.app.screen.query_one("#race-seeds-input", Input).value = seeds
    await pilot.click("#race-go")
    await wait_for(pilot, lambda: pilot.app.session.runs.race is not None)


async def test_a_race_fills_the_table_and_play_answers_with_the_chosen_contestant():
    app = tiny_app()
    async with app.run_test(size=SIZE) as pilot:
        await start_race(pilot)
        await wait_for(pilot, lambda: app.tab == "race")
        race = app.session.runs.race
        assert [c.label for c in race.contestants] == ["rnn seed 0", "lstm seed 0", "gru seed 0"]
        await wait_for(pilot, lambda: race.finished, timeout=60)
        app.refresh_text()  # not a test of the throttle: draw the finished race now
        rows = table_rows(app)
        assert [row[1] for row in rows] == ["rnn seed 0", "lstm seed 0", "gru seed 0"]
        assert all(row[2] == "30" for row in rows)  # every contestant ran the Setup's 30 steps
        assert all(row[3] == "never" or row[3].replace(",", "").isdigit() for row in rows)
        assert all(row[6] != "-" and row[7] != "-" for row in rows)  # ms/step and parameters filled
        assert [row[0][1] for row in rows] == ["•", "+", "x"]  # each row carries its curve's marker
        assert rows[0][0].startswith("▶")  # the first contestant is selected

        table = app.query_one("#race-table", DataTable)
        table.focus()
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        gru = race.contestants[2].run
        assert app.session.selected is gru and gru.model is gru.trainer and gru.model.config.cell == "gru"
        assert app.play_pane.model is gru.trainer  # Play answers with the chosen contestant
        await wait_for(pilot, lambda: table_rows(app)[2][0].startswith("▶"), timeout=60)  # the marker moved
        assert table_rows(app)[2][0].startswith("▶")
        await pilot.press("f4")
        await pilot.press(*"ABCDABCD")
        answer = lambda: str(app.query_one("#play-answer", Static).render())  # noqa: E731
        await wait_for(pilot, lambda: "ABCDABCD" in answer() and ("wrong" in answer() or "all right" in answer()))


async def test_stop_and_pause_apply_to_the_whole_race():
    app = tiny_app(steps=100_000)
    async with app.run_test(size=SIZE) as pilot:
        await start_race(pilot)
        race = app.session.runs.race
        await wait_for(pilot, lambda: all(c.run.state.step > 0 for c in race.contestants), timeout=60)
        await pilot.press("f6")
        assert race.gate.paused
        await wait_for(pilot, lambda: race.gate.blocked.is_set(), timeout=60)
        # Blocked: the gate flushed the last steps' batch before it blocked, so that report is already queued
        # on the app; pause() waits until the app's queue has been handled up to now (no fixed 0.3 s).
        await pilot.pause()
        steps = [c.run.state.step for c in race.contestants]
        # The race thread sits in the gate (blocked, checked again below): nobody can step, however long we
        # look; a slower machine only makes the look longer, so this pause cannot make the test fail falsely.
        await pilot.pause(1.0)
        assert [c.run.state.step for c in race.contestants] == steps  # nobody trains while paused
        assert race.gate.blocked.is_set()
        await pilot.press("f6")
        await wait_for(pilot, lambda: [c.run.state.step for c in race.contestants] != steps)
        await pilot.press("f7")
        await wait_for(pilot, lambda: race.finished, timeout=30)
        assert {c.run.state.finished.reason for c in race.contestants} == {"stopped"}
        app.refresh_text()  # not a test of the throttle: draw the stopped race now
        # stopped short of the target: "stopped", not "never" (it might have got there)
        assert all(row[3] == "stopped" or row[3][0].isdigit() for row in table_rows(app))
        assert not app.session.busy
        assert app.check_action("race", ()) and app.check_action("start", ())


@pytest.mark.parametrize("key", ["f8", "f9", "ctrl+o"])
async def test_keys_for_the_single_run_during_a_race_say_so_and_f7_still_stops_the_race(key):
    """F8 during a race said "Weights discarded" without asking, selected the idle single run, and F6/F7
    could no longer reach the race, which trained on at full speed."""
    app = tiny_app(steps=100_000)
    async with app.run_test(size=SIZE) as pilot:
        await start_race(pilot)
        race = app.session.runs.race
        await wait_for(pilot, lambda: all(c.run.state.step > 0 for c in race.contestants), timeout=60)
        await pilot.press(key)
        await pilot.pause()
        assert any("A race is training" in str(n.message) for n in app._notifications)
        assert not isinstance(app.screen, ConfirmDialog) and app.check_action("stop", ()) is True
        await pilot.press("f7")
        await wait_for(pilot, lambda: race.finished, timeout=30)
        assert {c.run.state.finished.reason for c in race.contestants} == {"stopped"}


async def test_the_dialog_refuses_no_cells_and_bad_seeds_and_keeps_asking():
    app = tiny_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, RaceDialog))
        for box in app.screen.query(CellBox):
            box.value = False
        await press_race(pilot)
        assert isinstance(app.screen, RaceDialog)
        assert "at least one cell" in str(app.screen.query_one("#race-error", Static).render())
        app.screen.query_one("#race-cell-lstm", CellBox).value = True
        app.screen.query_one("#race-seeds-input", Input).value = "1,1"
        await press_race(pilot)
        assert isinstance(app.screen, RaceDialog) and "seeds" in str(app.screen.query_one("#race-error").render())
        app.screen.query_one("#race-seeds-input", Input).value = "0,1,2,3,4,5,6,7,8"
        await press_race(pilot)
        assert "at most 8" in str(app.screen.query_one("#race-error").render())
        assert app.session.runs.race is None  # nothing started
        await pilot.press("escape")
        assert app.session.runs.race is None and not isinstance(app.screen, RaceDialog)


async def test_seeds_make_one_contestant_per_cell_and_seed():
    app = tiny_app(steps=10)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, RaceDialog))
        app.screen.query_one("#race-cell-rnn", CellBox).value = False
        app.screen.query_one("#race-cell-gru", CellBox).value = False
        app.screen.query_one("#race-seeds-input", Input).value = "3,4"
        await press_race(pilot)
        await wait_for(pilot, lambda: app.session.runs.race is not None and app.session.runs.race.finished, timeout=60)
        assert [c.label for c in app.session.runs.race.contestants] == ["lstm seed 3", "lstm seed 4"]
        trainers = [c.run.trainer for c in app.session.runs.race.contestants]
        assert [t.config.seed for t in trainers] == [3, 4] and trainers[0] is not trainers[1]


async def test_quitting_with_unsaved_race_weights_asks_first():
    app = tiny_app(steps=10)
    async with app.run_test(size=SIZE) as pilot:
        await start_race(pilot)
        await wait_for(pilot, lambda: app.session.runs.race.finished, timeout=60)
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        detail = str(app.screen.query_one(".dim", Static).render())
        assert "rnn seed 0" in detail and "lstm seed 0" in detail and "gru seed 0" in detail
        await pilot.press("escape")  # cancel: nothing lost, still running
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, ConfirmDialog)
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmDialog))
        await pilot.press("d")
        await wait_for(pilot, lambda: not app.is_running)


async def test_saving_a_contestant_names_its_cell_and_marks_it_saved(tmp_path):
    app = tiny_app(steps=10)
    async with app.run_test(size=SIZE) as pilot:
        await start_race(pilot)
        race = app.session.runs.race
        await wait_for(pilot, lambda: race.finished, timeout=60)
        lstm = race.contestants[1].run
        app.session.select(lstm)
        assert "-lstm-seed0-step10" in app.session.default_path(lstm)
        path = tmp_path / "lstm.safetensors"
        app.session.save_to(lstm, str(path))
        await wait_for(pilot, lambda: lstm.saved_step == 10)
        assert path.stat().st_size > 0
        assert lstm not in app.session.runs.unsaved() and race.contestants[0].run in app.session.runs.unsaved()


async def test_f5_after_a_race_trains_the_single_run_not_a_contestant():
    app = tiny_app(steps=10)
    async with app.run_test(size=SIZE) as pilot:
        await start_race(pilot)
        await wait_for(pilot, lambda: app.session.runs.race.finished, timeout=60)
        contestants = [c.run.trainer for c in app.session.runs.race.contestants]
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
        assert app.session.runs.selected is app.session.runs.single() and app.session.selected.model not in contestants
        assert [c.run.trainer for c in app.session.runs.race.contestants] == contestants  # the race is kept


async def test_a_race_that_cannot_start_says_why_and_frees_the_app():
    from tui.reports import TrainingFailed

    app = tiny_app()
    async with app.run_test(size=SIZE) as pilot:
        app.session.start_thread = lambda *thread: None  # the thread's failure is posted below
        app.session.start_race([TINY.replace(cell=cell) for cell in ("rnn", "gru")])
        race = app.session.runs.race
        assert app.session.busy and not app.check_action("start", ())
        app.report(TrainingFailed("device: cuda is not available here", "device", race.gate))
        await wait_for(pilot, lambda: not app.session.busy)
        assert race.finished and all(c.run.state.status == "idle" for c in race.contestants)
        assert any("cuda is not available" in n.message and n.title == "Cannot race" for n in app._notifications)
        assert app.check_action("start", ()) and app.check_action("race", ())
