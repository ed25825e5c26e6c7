"""Pilot tests against real (tiny) training runs."""

from __future__ import annotations

import time

from textual.widgets import Button, Input, Select, Static
from tui_helpers import set_field, wait_for

from engine.events import RunFinished

SIZE = (100, 34)


def answer(app) -> str:
    return str(app.query_one("#play-answer", Static).render())


async def start_long_run(pilot, app) -> None:
    """Start a caesar run far longer than any test, small enough to step fast."""
    await set_field(pilot, app, "steps", "1000000")
    await set_field(pilot, app, "batch_size", "4")
    await set_field(pilot, app, "hidden", "16")
    await set_field(pilot, app, "length", "8")
    await pilot.press("f5")
    await wait_for(pilot, lambda: app.session.selected.state.status == "running"
                   and app.session.selected.state.step > 0)


async def test_start_streams_events_then_stop(app_factory):
    app = app_factory("caesar")
    async with app.run_test(size=SIZE) as pilot:
        assert app.session.selected.state.status == "idle"
        await start_long_run(pilot, app)
        assert app.query_one("TabbedContent").active == "train"
        assert not app.query_one("#stop", Button).disabled
        await wait_for(pilot, lambda: app.session.selected.state.eval_count > 0)  # caesar evaluates every 50 steps
        assert app.session.selected.state.losses and app.session.selected.state.parameters > 0
        await pilot.press("f7")
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=10)
        assert app.session.selected.state.finished.reason == "stopped"
        assert not app.query_one("#start", Button).disabled


async def test_pause_and_resume(app_factory):
    app = app_factory("caesar")
    async with app.run_test(size=SIZE) as pilot:
        await start_long_run(pilot, app)
        await pilot.press("f6")
        assert app.session.selected.state.status == "paused" and app.session.selected.gate.wait_until_blocked(5)
        step = app.session.selected.model.step
        await pilot.pause(0.2)
        assert app.session.selected.model.step == step
        await pilot.press("f6")
        await wait_for(pilot, lambda: app.session.selected.model.step > step)
        await pilot.press("f7")
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=10)


async def test_invalid_field_is_marked_and_start_disabled(app_factory):
    app = app_factory("caesar")
    async with app.run_test(size=SIZE) as pilot:
        assert not app.query_one("#start", Button).disabled
        await set_field(pilot, app, "hidden", "lots")
        row = app.query_one("#row-hidden")
        assert row.has_class("-invalid")
        assert "whole number" in str(row.query_one(".field-error", Static).render())
        assert app.query_one("#start", Button).disabled
        await pilot.press("f5")
        assert app.session.selected.state.status == "idle" and app.session.selected.model is None
        await set_field(pilot, app, "hidden", "0")  # the engine's own range check
        assert "out of range" in str(row.query_one(".field-error", Static).render())
        await set_field(pilot, app, "hidden", "16")
        assert not row.has_class("-invalid") and not app.query_one("#start", Button).disabled


async def test_every_bad_field_is_marked_and_f5_moves_to_the_first(app_factory):
    app = app_factory("completion")
    async with app.run_test(size=(80, 24)) as pilot:
        await set_field(pilot, app, "corpus", "/no/such/corpus.txt")
        await set_field(pilot, app, "hidden", "lots")
        await set_field(pilot, app, "lr", "-1")
        await set_field(pilot, app, "steps", "0")
        marked = {row.id for row in app.query(".field.-invalid")}
        assert marked == {"row-corpus", "row-hidden", "row-lr", "row-steps"}  # all at once
        assert "no such file" in str(app.query_one("#row-corpus .field-error", Static).render())
        app.query_one("#field-seed").focus()
        app.action_show_tab("train")
        await pilot.pause()
        await pilot.press("f5")
        await pilot.pause()
        await pilot.pause()
        assert app.session.selected.state.status == "idle" and app.query_one("TabbedContent").active == "setup"
        assert app.focused is app.query_one("#field-corpus")  # the first bad field, in the form's order
        note = app._notifications
        assert any("4 bad settings" in (n.title or "") and "Hidden size" in n.message for n in note)
        await set_field(pilot, app, "corpus", "shakespeare")  # the built-in corpus is accepted
        assert not app.query_one("#row-corpus").has_class("-invalid")


async def test_bad_corpus_file_is_reported_inline(app_factory, tmp_path):
    corpus = tmp_path / "binary.txt"  # text for the first 4 KiB the field reads as you type, binary after
    corpus.write_bytes(b"plain text " * 800 + b"\x00\x01\x02" * 100)
    app = app_factory("completion")
    async with app.run_test(size=SIZE) as pilot:
        await set_field(pilot, app, "corpus", str(corpus))
        assert app.session.config is not None  # only reading the whole file, at F5, tells it is binary
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.query_one("#row-corpus").has_class("-invalid"))
        assert "binary" in str(app.query_one("#row-corpus .field-error", Static).render())
        assert app.session.selected.state.status == "idle" and app.query_one("TabbedContent").active == "setup"
        await wait_for(pilot, lambda: app.focused is app.query_one("#field-corpus"), timeout=5)
        assert "idle" in str(app.query_one("#stats").render())  # the Train view left "starting"
        assert any("binary" in n.message for n in app._notifications)  # and the error is shown
        assert not app.query_one("#start", Button).disabled


async def test_playground_answers_while_training(app_factory):
    app = app_factory("caesar")
    async with app.run_test(size=SIZE) as pilot:
        await start_long_run(pilot, app)
        await pilot.press("f4")
        assert app.focused is app.query_one("#play-input", Input)
        await pilot.press(*"abc")
        await wait_for(pilot, lambda: "model decryption" in answer(app) and "no model" not in answer(app))
        assert "NOP" in answer(app)  # the exact ciphertext of ABC, key 13
        assert app.session.selected.state.status == "running"
        await pilot.press("ctrl+t")  # now the text is read as ciphertext: exact decryption of ABC
        await wait_for(pilot, lambda: "exact decryption  OPQ" in answer(app))
        await pilot.press("f7")
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=10)


async def test_save_then_load_a_checkpoint(app_factory, tmp_path):
    path = tmp_path / "hello.safetensors"
    app = app_factory("hello")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
        assert app.session.selected.state.finished.reason == "completed"
        await pilot.press("ctrl+s")
        dialog_input = app.screen.query_one("#path-input", Input)
        dialog_input.value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: path.exists())
        await pilot.press("f8")  # reset: no model
        assert app.session.selected.model is None
        await pilot.press("ctrl+o")
        app.screen.query_one("#path-input", Input).value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.session.selected.model is not None)
        assert app.session.selected.model.step == 40 and app.session.selected.state.step == 40
        await pilot.press("f4")
        await pilot.press(*"hello")
        await wait_for(pilot, lambda: "ohlol" in answer(app))
    opened = app_factory(None, load=str(path))  # what `rnnplay tui --load CKPT` builds
    async with opened.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: opened.session.selected.model is not None)
        assert opened.session.selected.model.config.task == "mapping" and opened.session.selected.state.step == 40


async def test_loading_a_bad_file_keeps_the_app_running(app_factory, tmp_path):
    path = tmp_path / "junk.safetensors"
    path.write_bytes(b"not a checkpoint")
    app = app_factory("caesar")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+o")
        app.screen.query_one("#path-input", Input).value = str(path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("junk.safetensors" in n.message for n in app._notifications))
        assert app.session.selected.model is None and app.is_running


async def test_quit_while_training_asks_then_stops_the_run_quickly(app_factory):
    app = app_factory("caesar")
    async with app.run_test(size=SIZE) as pilot:
        await start_long_run(pilot, app)
        trainer = app.session.selected.model
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDialog" and app.is_running  # unsaved steps: ask
        await pilot.press("escape")  # cancel: nothing happens
        await pilot.pause()
        assert app.is_running and app.session.selected.state.status == "running"
        await pilot.press("ctrl+q")
        await pilot.pause()
        pressed = time.monotonic()
        await pilot.press("d")  # discard
    assert time.monotonic() - pressed < 2.0
    step = trainer.step
    time.sleep(0.2)
    assert trainer.step == step  # the training thread has stopped


async def test_divergence_is_a_notification_not_a_crash(app_factory):
    from canned import FakeTrainer, canned_events

    from tui.reports import TrainerCreated, TrainingEvents

    app = app_factory("caesar")
    async with app.run_test(size=SIZE) as pilot:
        trainer = FakeTrainer()
        app.report(TrainerCreated(trainer))
        events = canned_events(trainer)[:3] + (RunFinished(trainer.run_id, 60, "diverged", message="loss became nan"),)
        app.report(TrainingEvents(events))
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished")
        assert any("loss became nan" in n.message for n in app._notifications)
        assert app.is_running


async def test_command_palette_offers_the_actions_that_apply(app_factory):
    app = app_factory("caesar")
    async with app.run_test(size=SIZE) as pilot:
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Start (f5)" in titles and "Load (ctrl+o)" in titles
        assert "Stop (f7)" not in titles and "Save (ctrl+s)" not in titles  # nothing runs, nothing to save
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"


async def test_a_device_this_machine_lacks_is_refused(app_factory):
    app = app_factory("caesar", device="cuda")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        row = app.query_one("#row-device")
        assert row.has_class("-invalid") and "not available" in str(row.query_one(".field-error", Static).render())
        assert app.session.config is None and app.query_one("#start", Button).disabled


async def test_samples_show_the_new_run_after_another_of_the_same_length(app_factory):
    app = app_factory("hello-rnn-lesson")
    async with app.run_test(size=SIZE) as pilot:

        async def run_then_show_samples() -> str:
            await pilot.press("f5")
            await wait_for(pilot, lambda: app.session.selected.state.status == "finished")
            await pilot.press("f3")
            await pilot.pause()
            return str(app.query_one("#shapes", Static).render())

        assert "RNN output" in await run_then_show_samples()
        await pilot.press("f1")
        app.query_one("#field-preset", Select).value = "hello-rnncell-lesson"
        await pilot.pause()
        await pilot.press("d")  # the first run was not saved: discard it
        await pilot.pause()  # the new run is not watched: the samples view redraws when shown
        shapes = await run_then_show_samples()
        assert "RNN output" not in shapes and app.session.selected.state.shapes[1] in shapes
