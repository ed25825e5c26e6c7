"""The app's save dialog: a path that cannot be written is refused before saving and asked again; a failed
save keeps the model so another path can be chosen."""

from __future__ import annotations

import errno
import os
import stat

from textual.widgets import Input
from tui_helpers import wait_for

import engine
from tui.widgets.path_dialog import PathDialog

SIZE = (100, 34)


async def train_hello(pilot, app) -> None:
    await pilot.press("f5")
    await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)


async def save_as(pilot, app, path) -> None:
    app.screen.query_one("#path-input", Input).value = str(path)
    await pilot.press("enter")


def errors(app) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def test_a_special_file_is_refused_and_the_dialog_asks_again(app_factory, tmp_path):
    fifo = tmp_path / "model.safetensors"
    os.mkfifo(fifo)
    good = tmp_path / "other.safetensors"
    app = app_factory("hello")
    async with app.run_test(size=SIZE) as pilot:
        await train_hello(pilot, app)
        await pilot.press("ctrl+s")
        await save_as(pilot, app, fifo)
        await wait_for(pilot, lambda: isinstance(app.screen, PathDialog) and errors(app))
        assert "it is a FIFO" in errors(app)[0] and stat.S_ISFIFO(os.stat(fifo).st_mode)
        assert app.screen.query_one("#path-input", Input).value == str(fifo)  # the user edits what they typed
        await save_as(pilot, app, good)
        await wait_for(pilot, lambda: good.exists())
    assert engine.load(str(good)).config.task == "mapping"


async def test_a_save_that_fails_while_writing_keeps_the_model_and_asks_again(app_factory, tmp_path, monkeypatch):
    from engine.storage import output_files

    target = tmp_path / "model.safetensors"
    real_write = output_files.write_atomically
    calls = []

    def disk_full_once(path, data, what="save"):
        calls.append(path)
        if len(calls) == 1:
            raise output_files.OutputError(what, path, f"{os.strerror(errno.ENOSPC)}; the previous file is untouched",
                                           accepted=False)
        return real_write(path, data, what)

    monkeypatch.setattr(output_files, "write_atomically", disk_full_once)
    app = app_factory("hello")
    async with app.run_test(size=SIZE) as pilot:
        await train_hello(pilot, app)
        trainer = app.session.selected.model
        await pilot.press("ctrl+s")
        await save_as(pilot, app, target)
        await wait_for(pilot, lambda: isinstance(app.screen, PathDialog) and errors(app))
        assert "No space left on device" in errors(app)[0] and "the model is kept" in errors(app)[0]
        assert app.session.selected.model is trainer and not target.exists()
        await save_as(pilot, app, target)
        await wait_for(pilot, lambda: target.exists())
    assert engine.load(str(target)).step == trainer.step


async def test_a_failed_save_quoting_markup_shows_it_literally(app_factory):
    from tui.reports import Saved

    app = app_factory("hello")
    async with app.run_test(size=(80, 24)) as pilot:
        app.report(Saved(None, 0, "/tmp/[bold]x[/bold].safetensors", "cannot write /tmp/[bold]x[/bold].safetensors"))
        await pilot.pause()
        assert any("[bold]x[/bold]" in n.message and not n.markup for n in app._notifications)
