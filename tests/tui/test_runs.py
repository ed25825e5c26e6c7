"""The views describe the model Play answers with; discarding trained work asks first; the save
and load dialogs suggest a name from the preset and the step."""

from __future__ import annotations

from textual.widgets import Input, Select, Static
from tui_helpers import set_field, wait_for

from engine import presets
from engine.training import Trainer

SIZE = (100, 34)


def stats(app) -> str:
    return str(app.query_one("#stats").render())


def saved_hello(tmp_path, steps: int = 40) -> str:
    """A real checkpoint of the hello lesson, trained for `steps` steps."""
    trainer = Trainer(presets.get("hello").replace(steps=steps, device="cpu"))
    for _ in trainer.run():
        pass
    path = str(tmp_path / "hello-run.safetensors")
    trainer.save(path)
    return path


async def run_to_the_end(pilot, app) -> None:
    await pilot.press("f5")
    await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)


async def test_a_loaded_checkpoint_shows_its_own_run(app_factory, tmp_path):
    path = saved_hello(tmp_path)
    app = app_factory("hello-rnn-lesson")
    async with app.run_test(size=SIZE) as pilot:
        await run_to_the_end(pilot, app)
        old_parameters = app.session.selected.state.parameters
        # nothing unsaved: ctrl+o asks for a path straight away
        app.session.selected.saved_step = app.session.selected.model.step
        await pilot.press("ctrl+o")
        app.screen.query_one("#path-input", Input).value = path
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.session.selected.model is not None and app.session.selected.model.step == 40
                       and app.session.selected.model.config.task == "mapping")
        await pilot.press("f2")
        await pilot.pause()
        assert app.session.selected.state.step == 40 and app.session.selected.state.parameters != old_parameters
        assert "step 40/" in stats(app) and f"{app.session.selected.state.parameters:,} params" in stats(app)
        assert "loss" in stats(app)  # the checkpoint's saved metrics
        assert app.query_one("#field-preset", Select).value == "hello"  # its settings and name
        assert app.sub_title == "hello"


async def test_tui_load_opens_with_the_runs_name_and_continuing_reports_the_steps_run(app_factory, tmp_path):
    path = saved_hello(tmp_path, steps=30)
    app = app_factory(None, load=path)  # what `rnnplay tui --load CKPT` builds
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.session.selected.model is not None)
        assert app.sub_title == "hello" and app.session.selected.state.step == 30
        await set_field(pilot, app, "steps", "40")
        await pilot.press("f5")  # 10 more
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
        assert app.session.selected.model.step == 40
        assert any("Ran 10 steps" in n.message for n in app._notifications)


async def test_reset_of_unsaved_work_asks_and_cancel_keeps_it(app_factory):
    app = app_factory("hello")
    async with app.run_test(size=SIZE) as pilot:
        await run_to_the_end(pilot, app)
        trainer = app.session.selected.model
        for key in ("f8", "f9"):
            await pilot.press(key)
            await pilot.pause()
            assert type(app.screen).__name__ == "ConfirmDialog"
            assert "not saved" in str(app.screen.query_one(".dim", Static).render())
            await pilot.press("escape")
            await pilot.pause()
            assert app.session.selected.model is trainer  # cancelled: nothing discarded
        await pilot.press("f9")
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert app.session.selected.model is None and app.session.selected.state.step == 0


async def test_starting_with_new_settings_asks_before_discarding_unsaved_weights(app_factory):
    app = app_factory("hello")
    async with app.run_test(size=SIZE) as pilot:
        await run_to_the_end(pilot, app)
        trainer = app.session.selected.model
        await set_field(pilot, app, "pairs", "hello:olleh")
        await pilot.press("f5")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDialog"
        await pilot.press("escape")
        await pilot.pause()
        # cancelled: nothing discarded
        assert app.session.selected.model is trainer and app.session.selected.state.status == "finished"
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("d")
        await wait_for(pilot, lambda: app.session.selected.model is not None
                       and app.session.selected.model is not trainer, timeout=30)


async def test_save_first_saves_then_discards(app_factory, tmp_path):
    app = app_factory("hello")
    async with app.run_test(size=SIZE) as pilot:
        await run_to_the_end(pilot, app)
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("s")  # save first: the save dialog opens
        await pilot.pause()
        dialog = app.screen.query_one("#path-input", Input)
        assert dialog.placeholder == "hello-step40.safetensors"  # the preset and the step
        target = tmp_path / "kept.safetensors"
        dialog.value = str(target)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.session.selected.model is None)  # discarded only once saved
        assert target.exists()


async def test_a_failed_save_discards_nothing(app_factory, tmp_path):
    app = app_factory("hello")
    async with app.run_test(size=SIZE) as pilot:
        await run_to_the_end(pilot, app)
        trainer = app.session.selected.model
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        missing = str(tmp_path / "missing" / "folder" / "x.safetensors")
        app.screen.query_one("#path-input", Input).value = missing
        await pilot.press("enter")
        await pilot.pause()
        assert app.session.selected.model is trainer and any(n.severity == "error" for n in app._notifications)
        assert type(app.screen).__name__ == "PathDialog"  # asked again, for another path
        await pilot.press("escape")
        await pilot.pause()
        assert app.session.selected.model is trainer and app.session.after_save is None


async def test_the_dialogs_suggest_the_preset_and_step(app_factory, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no checkpoint here: the load dialog suggests none (none that never existed)
    app = app_factory("completion")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.screen.query_one("#path-input", Input).placeholder == ""
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("ctrl+o", *"./run.safetensors")  # keys arriving as the dialog opens: taken exactly
        assert app.screen.query_one("#path-input", Input).value == "./run.safetensors"


async def test_another_preset_is_another_run_in_every_view(app_factory):
    app = app_factory("hello")
    async with app.run_test(size=SIZE) as pilot:
        await run_to_the_end(pilot, app)
        picker = app.query_one("#field-preset", Select)
        picker.value = "caesar"
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDialog"
        await pilot.press("escape")  # cancelled: the old run stays, and so does its preset
        await pilot.pause()
        assert app.session.selected.model is not None and picker.value == "hello"
        picker.value = "caesar"
        await pilot.pause()
        await pilot.press("d")
        await pilot.pause()
        assert app.session.selected.model is None and picker.value == "caesar" and app.session.config.task == "caesar"
        await pilot.press("f2")
        await pilot.pause()
        assert "step 0" in stats(app) and "40" not in stats(app)
        await pilot.press("f4")
        await pilot.press(*"abc")
        await wait_for(pilot, lambda: "no model yet" in str(app.query_one("#play-answer", Static).render()))
