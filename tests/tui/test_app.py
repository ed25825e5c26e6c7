"""The app as a screen, against real (tiny) runs: keys reach the Session and its answers are shown (start, stop,
pause, Play while training, save and load, quit), bad settings are marked, the footer and the palette offer
what applies, dialogs stay clear of toasts, and every view follows the selected run."""

from __future__ import annotations

import threading

import pytest
from textual.widgets import Button, Input, Select, Static
from tui_helpers import DEVICES, SIZES, notices, race_from_dialog, set_field, toasts_shown, wait_for

from engine import presets
from engine.events import RunFinished
from engine.training import Trainer
from tui.app import make_app

SIZE = (100, 34)


def answer(app) -> str:
    return str(app.query_one("#play-answer", Static).render())


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


def overlaps(a, b) -> bool:
    return bool(a.region.intersection(b.region).area)


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
        # caesar evaluates early (before its first logged step, at 10) and then every 50 steps: under load the
        # early evaluations came in a batch of their own and the losses were still empty; wait for both
        await wait_for(pilot, lambda: app.session.selected.state.eval_count > 0 and app.session.selected.state.losses,
                       timeout=60)
        assert app.session.selected.state.losses and app.session.selected.state.parameters > 0
        await pilot.press("f7")
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
        assert app.session.selected.state.finished.reason == "stopped"
        assert not app.query_one("#start", Button).disabled


async def test_pause_and_resume(app_factory):
    app = app_factory("caesar")
    async with app.run_test(size=SIZE) as pilot:
        await start_long_run(pilot, app)
        await pilot.press("f6")
        gate = app.session.selected.gate
        assert app.session.selected.state.status == "paused" and gate.wait_until_blocked(30)
        step = app.session.selected.model.step
        # The trainer sits in the gate (blocked, checked again below): it cannot step, however long we look;
        # a slower machine only makes this look longer, so the pause cannot make the test fail falsely.
        await pilot.pause(0.2)
        assert app.session.selected.model.step == step and gate.blocked.is_set()
        await pilot.press("f6")
        await wait_for(pilot, lambda: app.session.selected.model.step > step)
        await pilot.press("f7")
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)


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
        await wait_for(pilot, lambda: app.focused is app.query_one("#field-corpus"), timeout=30)
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
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)


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


async def test_quit_while_training_asks_then_leaves_without_waiting_for_the_step(app_factory):
    app = app_factory("caesar")
    release = threading.Event()
    async with app.run_test(size=SIZE) as pilot:
        before = set(threading.enumerate())
        await start_long_run(pilot, app)
        trainer = app.session.selected.model
        training = [t for t in set(threading.enumerate()) - before if t.name == "rnnplay-training"]  # this run's
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDialog" and app.is_running  # unsaved steps: ask
        await pilot.press("escape")  # cancel: nothing happens
        await pilot.pause()
        assert app.is_running and app.session.selected.state.status == "running"
        update, stepping = trainer._update, threading.Event()

        def held_step():  # the next step cannot end until the app has gone: quitting must not wait for it
            stepping.set()
            release.wait(60)
            return update()

        trainer._update = held_step
        await wait_for(pilot, stepping.is_set, timeout=60)
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog")
        await pilot.press("d")  # discard
    assert not app.is_running and all(thread.is_alive() for thread in training)  # left mid-step
    release.set()
    for thread in training:
        thread.join(60)  # cancelled: it ends after the step it was in (a wait, not a sleep: under load, later)
    assert training and not any(thread.is_alive() for thread in training)  # the training thread has stopped


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


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("key", ["ctrl+o", "f8"])
async def test_dialogs_and_toasts_do_not_overlap(app_factory, size, key, tmp_path):
    app = app_factory("hello")
    async with app.run_test(size=size, notifications=True) as pilot:
        trained = type("Trained", (), {"step": 50, "config": presets.get("hello")})()
        app.session.selected.hold(trained, trainable=True)  # as if 50 steps were trained and not saved: F8 asks
        app.notify("A long notification that wraps over several lines of the toast " * 3, title="One")
        app.notify("A second notification stacks with the first.", title="Two", severity="error")
        await pilot.press(key)
        # The dialog's screen gets its own toasts a few messages after it is pushed: wait until it is laid
        # out and both toasts are mounted on it (a pause() could end first under load: "the toasts were shown")
        dialog = lambda: app.screen.query("#path-dialog, #confirm-dialog")  # noqa: E731
        await wait_for(pilot, lambda: dialog() and dialog().first().region.area and len(app._notifications) == 2
                       and toasts_shown(app), timeout=60)
        dialog = dialog().first()
        toasts = list(app.screen.query("Toast"))
        assert toasts, "the toasts were shown"
        assert not any(overlaps(dialog, toast) for toast in toasts)


async def start_a_long_run(pilot, app) -> None:
    app.setup_pane.set_value("steps", "100000")
    await pilot.pause()
    await pilot.press("f5")
    await wait_for(pilot, lambda: app.session.selected.state.status == "running"
                   and app.session.selected.state.step > 0, timeout=60)


@pytest.mark.parametrize("size", SIZES)
async def test_f9_during_a_run_asks_and_ctrl_o_says_why_it_waits(app_factory, size):
    app = app_factory("hello")
    async with app.run_test(size=size, notifications=True) as pilot:
        await start_a_long_run(pilot, app)
        seed = app.setup_pane.rows["seed"].control.value
        await pilot.press("f9")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog", timeout=60)  # asks, like F8
        assert "stop the run" in str(app.screen.query_one(".dim").render())
        await pilot.press("d")
        await wait_for(pilot, lambda: not app.session.selected.state.training, timeout=60)
        assert app.session.selected.model is None and app.setup_pane.rows["seed"].control.value != seed
        await start_a_long_run(pilot, app)
        await pilot.press("ctrl+o")
        # ctrl+o either says why it waits or asks for a path, in the same call: once the toast is there,
        # no dialog can come any more (a pause() could end before the toast's message was handled)
        waits = lambda: any("Stop the run first" in n.message for n in app._notifications)  # noqa: E731
        await wait_for(pilot, lambda: waits() or app.screen is not app.screen_stack[0], timeout=60)
        assert type(app.screen).__name__ != "PathDialog" and app.session.selected.state.training
        assert any("Stop the run first (F7)" in n.message for n in app._notifications)
        await pilot.press("f7")
        await wait_for(pilot, lambda: not app.session.selected.state.training, timeout=60)


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


async def test_the_footer_fits_80_columns_on_every_tab(app_factory):
    app = app_factory("caesar")
    async with app.run_test(size=(80, 24)) as pilot:
        for tab in ("f1", "f2", "f3", "f4"):
            await pilot.press(tab)
            await pilot.pause()
            keys = [k for k in app.screen.query("FooterKey") if k.display]
            palette = next(k for k in keys if k.key == "ctrl+p")
            bindings = [k for k in keys if k is not palette]
            assert {"ctrl+q",
                    "ctrl+o" if not app.session.selected.state.training else "ctrl+s"} <= {k.key for k in bindings}
            assert max(k.region.right for k in bindings) <= palette.region.x, tab  # nothing cut


async def test_the_footer_fits_80_columns_on_every_tab_during_a_run(app_factory):
    app = app_factory("caesar")
    async with app.run_test(size=(80, 24)) as pilot:
        app.setup_pane.set_value("steps", "100000")
        await pilot.pause()
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.state.status == "running", timeout=60)
        for tab in ("f1", "f2", "f3", "f4"):  # Play on a cipher adds ctrl+t while F6 and F7 are shown
            await pilot.press(tab)
            await pilot.pause()
            keys = [k for k in app.screen.query("FooterKey") if k.display]
            palette = next(k for k in keys if k.key == "ctrl+p")
            bindings = [k for k in keys if k is not palette]
            if tab == "f4":
                assert {"ctrl+q", "f6", "f7", "ctrl+t", "ctrl+o"} <= {k.key for k in bindings}
            assert max(k.region.right for k in bindings) <= palette.region.x, tab  # nothing cut
        await pilot.press("f7")
        await wait_for(pilot, lambda: not app.session.selected.state.training, timeout=30)


async def test_the_header_names_the_contestant_that_play_train_and_samples_show():
    """Play answered with the chosen contestant, but nothing on the Play, Train or Samples view said which."""
    from canned import mid_race

    app = make_app("echo", devices=DEVICES)
    async with app.run_test(size=(80, 24)) as pilot:
        await mid_race(350, 2)(pilot)
        assert app.title == "RNN Playground · race: gru seed 0" and app.sub_title == "echo"
        await pilot.press("f4")
        await pilot.pause()
        assert "RNN Playground · race: gru seed 0 — echo" in str(app.screen.query_one("HeaderTitle").render())
        app.session.select(app.session.runs.single())  # as F5 and ctrl+o do
        assert app.title == "RNN Playground"


async def test_ctrl_c_during_a_race_says_how_to_quit_in_plain_words():
    """Textual's hint is console markup, which the app's toasts never read: it showed "[b]ctrl+q[/b]"."""
    app = make_app("echo", devices=DEVICES, threads=1)
    async with app.run_test(size=(80, 24)) as pilot:
        app.session.start_thread = lambda *thread: None
        await race_from_dialog(pilot)
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert notices(app)[-1] == "Press ctrl+q to quit the app."
        assert app.is_running and app.session.runs.race.gate is not None


async def test_f6_and_f7_reach_the_race_when_the_chosen_contestant_has_ended_early():
    """The chosen contestant diverged while the others raced on: F6 and F7 asked its state, found it
    finished, and the race could no longer be paused or stopped from the keyboard."""
    from canned import mid_race

    from engine.events import RunFinished
    from tui.reports import TrainingEvents

    app = make_app("echo", devices=DEVICES)
    async with app.run_test(size=(80, 24)) as pilot:
        await mid_race(100, 0)(pilot)
        race = app.session.runs.race
        for contestant in race.contestants:
            contestant.run.state.status = "running"  # as after their RunStarted
        rnn = race.contestants[0].run
        app.report(TrainingEvents((RunFinished(rnn.trainer.run_id, 100, "diverged", {}, 1.0, "loss is nan"),)))
        await wait_for(pilot, lambda: rnn.state.status == "finished")
        assert app.session.runs.selected is rnn and app.session.busy
        assert app.check_action("pause", ()) and app.check_action("stop", ())
        await pilot.press("f6")
        assert race.gate.paused and all(c.run.state.status == "paused" for c in race.contestants[1:])
        await pilot.press("f6")
        assert not race.gate.paused
        await pilot.press("f7")
        assert race.gate.cancelled.is_set()
        assert [c.run.state.status for c in race.contestants] == ["finished", "stopping", "stopping"]
        assert rnn.state.finished.reason == "diverged"  # the ended contestant keeps its own ending


async def test_a_failed_save_quoting_markup_shows_it_literally(app_factory):
    from tui.reports import Saved

    app = app_factory("hello")
    async with app.run_test(size=(80, 24)) as pilot:
        app.report(Saved(None, 0, "/tmp/[bold]x[/bold].safetensors", "cannot write /tmp/[bold]x[/bold].safetensors"))
        await pilot.pause()
        assert any("[bold]x[/bold]" in n.message and not n.markup for n in app._notifications)
