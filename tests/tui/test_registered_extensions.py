"""A new task and a new cell reach the app through their registration alone (issue 21): Setup offers the
test-only `successor` task and `leaky` cell (tests/toys.py) and trains with them, Samples names the toy task's
rows, Play shows its exact answer beside the model's, Inside offers the toy cell's state parts, the race
dialog ticks the toy cell, and a toy checkpoint loaded in the app continues exactly. At 80x24."""

from __future__ import annotations

import threading

import pytest
import torch
import toys
from textual.widgets import Select, Static
from tui_helpers import DEVICES, set_field, wait_for

import engine
from engine.events import StepLogged
from engine.training import Trainer
from tui import inside_render
from tui.app import make_app
from tui.reports import TrainerCreated
from tui.widgets.inside_run import InsideRun
from tui.widgets.race_dialog import RaceDialog

SIZE = (80, 24)


@pytest.fixture(autouse=True)
def registered_toys():
    with toys.registered():
        yield


def shown_fields(app) -> set[str]:
    return {row.field_name for row in app.query("FieldRow") if row.display and row.field_name != "preset"}


def offered(overlay) -> list[str]:
    return [str(overlay.get_option_at_index(i).prompt) for i in range(overlay.option_count)]


async def choose(pilot, select_id: str, shown: str) -> list[str]:
    """Open the dropdown `select_id` as a user does, move to the choice shown as `shown` and take it; what it
    offered."""
    app = pilot.app
    app.query_one(select_id).focus()
    await pilot.press("enter")
    overlay = app.query_one(f"{select_id} SelectOverlay")
    await wait_for(pilot, lambda: overlay.display)
    choices = offered(overlay)
    target = choices.index(shown)  # ValueError naming it when it is not offered
    while overlay.highlighted != target:
        await pilot.press("down" if overlay.highlighted < target else "up")
    await pilot.press("enter")
    await wait_for(pilot, lambda: not overlay.display)
    return choices


def text_of(app, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def test_setup_offers_the_toy_task_and_cell_trains_with_them_and_samples_name_the_rows(app_factory):
    app = app_factory("caesar")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert await choose(pilot, "#field-task", "successor") == engine.tasks.names()
        assert "leaky" in await choose(pilot, "#field-cell", "leaky")
        await choose(pilot, "#field-precision", "fp32")
        assert app.query_one("#field-precision", Select).value == "fp32"
        for name, value in (("hidden", "16"), ("embedding", "8"), ("length", "8"), ("batch_size", "16"),
                            ("steps", "150"), ("layers", "2")):
            await set_field(pilot, app, name, value)
        shown = shown_fields(app)
        assert {"length", "batch_size"} <= shown  # the settings the toy task reads...
        assert {"key", "corpus", "pairs", "symbols", "delay", "keyword", "forget_bias"}.isdisjoint(shown)  # ...only
        assert (app.session.config.task, app.session.config.cell, app.session.config.layers) == ("successor",
                                                                                                 "leaky", 2)
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
        assert (app.session.selected.model.config.task, app.session.selected.model.config.cell) == ("successor",
                                                                                                    "leaky")
        assert app.session.selected.state.latest.accuracy > 0.5  # chance is 10 %
        await pilot.press("f3")
        await pilot.pause()
        rows = [line.strip() for line in text_of(app, "#predictions #samples").splitlines()]
        sample = app.session.selected.state.latest.samples[0]
        assert f"digits  {sample.input}" in rows  # the task's own names for the three rows
        assert f"successors  {toys.successor(sample.input)}" in rows
        assert any(row.startswith("model answers  ") for row in rows)


@pytest.fixture(scope="module")
def toy_trainer():
    with toys.registered():
        config = engine.TrainConfig(task="successor", cell="leaky", layers=2, hidden=16, embedding=8, length=8,
                                    batch_size=16, lr=0.03, steps=150, precision="fp32", device="cpu", seed=4)
        trainer = Trainer(config)
        list(trainer.run())
        yield trainer


async def test_play_answers_typed_digits_beside_the_exact_answer(app_factory, toy_trainer):
    app = app_factory("caesar")
    async with app.run_test(size=SIZE) as pilot:
        app.report(TrainerCreated(toy_trainer))
        await pilot.press("f4")
        assert text_of(app, "#play-help") == toys.SuccessorTask.play_help[0]
        await pilot.press(*"0129")
        await wait_for(pilot, lambda: "all right" in text_of(app, "#play-answer"))
        answer = text_of(app, "#play-answer").splitlines()
        assert answer[:2] == ["digits           0129", "exact successor  1230"]
        assert answer[2].startswith("model successor  1230")
        await pilot.press("a")  # not a digit: refused in the task's words, and no answer to it
        await wait_for(pilot, lambda: text_of(app, "#play-input-error") == "⚠ 'a' not accepted: type digits 0-9")
        assert text_of(app, "#play-answer") == ""


async def test_inside_offers_each_layer_of_the_toy_cells_state(app_factory, toy_trainer):
    app = app_factory("caesar")
    async with app.run_test(size=SIZE) as pilot:
        app.report(TrainerCreated(toy_trainer))
        await pilot.pause()
        await pilot.press("ctrl+n")
        await wait_for(pilot, lambda: app.focused is app.query_one("#inside-input"))
        await pilot.press(*"0519")
        run = app.query_one(InsideRun)
        await wait_for(pilot, lambda: run.shown and getattr(run.shown[0], "text", None) == "0519")
        inside = toy_trainer.inspect("0519")
        assert inside_render.state_choices(inside) == [("layer 1 hidden", "h1"), ("layer 2 hidden", "h2")]
        assert await choose(pilot, "#inside-state", "layer 2 hidden") == ["layer 1 hidden", "layer 2 hidden"]
        assert app.query_one("#inside-state", Select).value == "h2"
        await pilot.pause()
        header = str(run.query_one(".inside-header", Static).render())
        assert any(line.startswith("target") and "1620" in line for line in header.splitlines())
        drawn = str(run.query_one(".inside-map", Static).render()).splitlines()[1:]
        assert [int(line.split()[0]) for line in drawn] == inside_render.ranked_units(inside.states["hidden"][1],
                                                                                     "varying")


async def test_a_race_from_the_app_ticks_the_toy_cell_beside_a_real_one():
    config = engine.TrainConfig(task="successor", cell="leaky", hidden=12, embedding=4, length=6, batch_size=8,
                                steps=20, log_every=5, eval_every=10, precision="fp32", device="cpu")
    app = make_app(config=config, devices=DEVICES, threads=1)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, RaceDialog))
        await pilot.pause()
        leaky = app.screen.query_one("#race-cell-leaky")
        assert leaky.region.right <= SIZE[0] and not leaky.value  # offered, within 80 columns; not a default
        for box in ("#race-cell-leaky", "#race-cell-rnn", "#race-cell-lstm"):  # tick it, untick two others
            await pilot.click(box)
        assert app.screen.chosen_cells() == ("gru", "leaky")
        await pilot.click("#race-go")
        await wait_for(pilot, lambda: app.session.runs.race is not None and app.session.runs.race.finished, timeout=60)
        assert [c.label for c in app.session.runs.race.contestants] == ["gru seed 0", "leaky seed 0"]
        leaky_run = app.session.runs.race.contestants[1].run
        assert leaky_run.trainer.config.cell == "leaky" and leaky_run.trainer.step == 20


async def test_a_stopped_toy_run_loaded_in_the_app_continues_with_f5_as_if_never_stopped(app_factory, tmp_path):
    config = engine.TrainConfig(task="successor", cell="leaky", layers=2, hidden=12, embedding=0, length=6,
                                batch_size=8, steps=10, log_every=1, dropout=0.2, precision="fp32", device="cpu")
    stopped, stop = Trainer(config), threading.Event()
    for event in stopped.run(stop):
        if isinstance(event, StepLogged) and event.step == 4:
            stop.set()
    path = str(tmp_path / "stopped.safetensors")
    stopped.save(path)
    whole = Trainer(config)
    last = [e.loss for e in whole.run() if isinstance(e, StepLogged)][-1]
    app = app_factory(None, load=path)  # as `rnnplay tui --load` opens it
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.session.selected.model is not None)
        assert app.session.selected.model.step == 4
        assert (app.query_one("#field-task", Select).value, app.query_one("#field-cell", Select).value) == (
            "successor", "leaky")
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
        assert app.session.selected.model.step == 10 and app.session.selected.model.metrics["loss"] == last
        for mine, theirs in zip(app.session.selected.model.model.parameters(), whole.model.parameters(), strict=True):
            assert torch.equal(mine, theirs)
