"""The Inside view: typing inspects the model off the UI thread, the cursor picks the position whose
connectivity strip and alternatives are shown, new weights are looked at again while training
(within a time budget), and nothing from data reaches the terminal raw."""

from __future__ import annotations

import time

import pytest
import torch
from textual.widgets import Input, Select
from tui_helpers import assert_screen_is_clean, screen_rows, wait_for

from engine import presets
from engine.training import Trainer
from tui import inside_render
from tui.reports import TrainerCreated
from tui.widgets.inside_pane import MIN_SECONDS, InsidePane
from tui.widgets.inside_run import InsideRun


def caesar_trainer():
    torch.set_num_threads(1)
    return Trainer(presets.get("caesar").replace(device="cpu", precision="fp32"))


def header(app) -> str:
    return str(app.query_one(InsideRun).query_one(".inside-header").render())


def row(text: str, label: str) -> str:
    """The drawn columns of the row labelled `label` (the label's width cut off)."""
    line = next(line for line in text.splitlines() if line.startswith(label))
    return line[inside_render.LABEL:]


async def open_inside(pilot, trainer, typed: str) -> InsidePane:
    app = pilot.app
    app.report(TrainerCreated(trainer))
    await pilot.pause()
    await pilot.press("ctrl+n")
    await wait_for(pilot, lambda: app.focused is app.query_one("#inside-input"))
    pane = app.query_one(InsidePane)
    await pilot.press(*typed)
    await wait_for(pilot, lambda: pane.answers and app.query_one(InsideRun).shown
                   and app.query_one(InsideRun).shown[0] is not None and pane.asked[1] == typed)
    await wait_for(pilot, lambda: "input       " in header(app))
    return pane


async def test_typing_shows_the_models_answer_confidence_and_alternatives(app_factory):
    trainer = caesar_trainer()
    app = app_factory("caesar")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_inside(pilot, trainer, "URYYB")
        inside = trainer.inspect("URYYB")
        shown = header(app)
        assert row(shown, "input").startswith("URYYB")
        assert row(shown, "model").startswith("".join(top[0]["symbol"] for top in inside.top))
        assert row(shown, "target").startswith(inside.target)
        best = inside.top[4]
        assert f"B → {best[0]['symbol']} {best[0]['p']:.1%}" in shown  # the last position: the cursor is at the end
        await pilot.press("backspace", "backspace")
        await wait_for(pilot, lambda: row(header(app), "input").rstrip() == "URY")


async def test_moving_the_cursor_moves_the_connectivity_strip(app_factory):
    trainer = caesar_trainer()
    app = app_factory("caesar")
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await open_inside(pilot, trainer, "ATTACKATDAWN")
        inside, answers = trainer.inspect("ATTACKATDAWN"), pane.answers
        for keys, at in [((), 11), (("home",), 0), (("right", "right", "right"), 3), (("end", "left", "left"), 10)]:
            await pilot.press(*keys)
            await pilot.pause()
            shown = header(app)
            strip = inside.connectivity[at][: at + 1]
            expected = "".join(inside_render.shade(v / max(strip)) for v in strip)
            assert row(shown, "looks back").rstrip() == expected.rstrip()
            assert row(shown, "looks back")[at + 1:].strip() == ""  # never after the position itself
            assert f"at {at} " in shown and row(shown, " " * inside_render.LABEL).index("^") == at
        assert pane.answers == answers  # moving the cursor redraws; it does not inspect again


async def test_the_map_ranks_units_and_offers_every_layer_and_the_lstm_cell_state(app_factory):
    trainer = caesar_trainer()
    app = app_factory("caesar")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_inside(pilot, trainer, "HELLO")
        inside = trainer.inspect("HELLO")
        select = app.query_one("#inside-state", Select)
        assert [value for _, value in inside_render.state_choices(inside)] == ["h1", "c1"]
        drawn = str(app.query_one(InsideRun).query_one(".inside-map").render()).splitlines()[1:]
        units = [int(line.split()[0]) for line in drawn]
        assert sorted(units) == list(range(64))
        assert units == inside_render.ranked_units(inside.hidden[0], "varying")
        select.value = "c1"
        app.query_one("#inside-order", Select).value = "active"
        await pilot.pause()
        drawn = str(app.query_one(InsideRun).query_one(".inside-map").render()).splitlines()[1:]
        cell_units = inside_render.ranked_units(inside.states["cell"][0], "active")
        assert [int(line.split()[0]) for line in drawn] == cell_units


async def test_enter_on_an_empty_line_takes_the_latest_sample_and_errors_are_one_line(app_factory):
    from canned import canned_events

    from tui.reports import TrainingEvents

    trainer = caesar_trainer()
    app = app_factory("caesar")
    async with app.run_test(size=(100, 30)) as pilot:
        await open_inside(pilot, trainer, "A")
        app.report(TrainingEvents(canned_events(trainer)))  # a state with samples
        await pilot.press("backspace", "enter")
        sample = app.session.selected.state.latest.samples[0].input
        await wait_for(pilot, lambda: app.query_one("#inside-input", Input).value == sample)
        await wait_for(pilot, lambda: row(header(app), "input").startswith(sample[:40]))
        app.query_one("#inside-input", Input).value = "A" * 300
        await wait_for(pilot, lambda: "at most 256 can be inspected" in header(app))
        assert "Traceback" not in "\n".join(screen_rows(app))


async def test_it_looks_again_while_a_real_run_trains(app_factory):
    config = presets.get("caesar").replace(device="cpu", precision="fp32", steps=5000, eval_every=5)
    app = app_factory("caesar", config=config)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.model is not None)
        pane = await open_inside(pilot, app.session.selected.model, "GUR")
        first = pane.answers
        await wait_for(pilot, lambda: pane.answers > first and app.session.selected.state.status == "running",
                       timeout=60)
        await pilot.press("f7")
        # its last weights are looked at now
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished")
        final = app.session.selected.model.inspect("GUR")
        await wait_for(pilot, lambda: pane.results["lstm"].connectivity == final.connectivity)


async def test_weights_arriving_often_are_looked_at_once_a_second_at_most(app_factory):
    from engine.events import Evaluated
    from tui.reports import TrainingEvents

    trainer = caesar_trainer()
    app = app_factory("caesar")
    async with app.run_test(size=(100, 30)) as pilot:
        pane = await open_inside(pilot, trainer, "GUR")
        app.session.selected.state.status = "running"  # as while training: new weights wait for the budget
        started, first = time.monotonic(), pane.answers
        for step in range(1, 31):  # 30 evaluations in about 3 s, each with new weights
            app.report(TrainingEvents((Evaluated(trainer.run_id, step, 1.0, 0.5, None, ()),)))
            await pilot.pause(0.1)  # paces the events (the scenario), waits for nothing: the bound below is
            # measured against the elapsed time, so a slower machine allows more looks, never a false failure
        elapsed = time.monotonic() - started
        assert pane.answers - first <= elapsed / MIN_SECONDS + 1  # (a slow machine: fewer, see the budget)
        app.session.selected.state.status = "finished"
        app.refresh_text()  # the run ended: a look put off for the budget is taken now
        await wait_for(pilot, lambda: pane.later is None and pane.asked == ((("lstm", trainer),), "GUR"))


async def test_without_a_model_it_says_how_to_get_one(app_factory):
    app = app_factory("caesar")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+n")
        await pilot.press(*"abc")
        await wait_for(pilot, lambda: "no model yet" in "\n".join(screen_rows(app)))


HOSTILE = "good \x1b[2J\x07\u202e\r\n中 day"


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_pasted_control_characters_never_reach_the_terminal(app_factory, size):
    completion = Trainer(presets.get("sentences-lesson").replace(device="cpu"))
    app = app_factory("sentences-lesson")
    async with app.run_test(size=size) as pilot:
        app.report(TrainerCreated(completion))
        await pilot.pause()
        await pilot.press("ctrl+n")
        await pilot.pause()
        app.query_one("#inside-input", Input).value = HOSTILE  # as a paste or a sample from a corpus would
        await wait_for(pilot, lambda: app.query_one(InsidePane).answers > 0)
        await pilot.pause()
        assert app.query_one("#inside-input", Input).value == "good  [2J    中 day"
        assert_screen_is_clean(app, size[0])
