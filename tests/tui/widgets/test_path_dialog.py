"""The save and load dialogs: a failed load asks again with the reason and the typed path, the load dialog
suggests only checkpoints that exist, a refused path keeps the hint, → completes paths, keys typed as the
dialog opens are taken exactly."""

from __future__ import annotations

import pytest
from textual.widgets import Input
from tui_helpers import wait_for


def dialog_text(app) -> tuple[str, str, str]:
    """The load/save dialog's field value, placeholder and hint line."""
    from textual.widgets import Input

    field = app.screen.query_one("#path-input", Input)
    return field.value, field.placeholder, str(app.screen.query_one("#path-hint").render())


async def test_the_load_dialog_suggests_only_checkpoints_that_exist(app_factory, tmp_path, monkeypatch):
    import os

    from engine import presets
    from engine.training import Trainer

    monkeypatch.chdir(tmp_path)
    app = app_factory("caesar")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        value, placeholder, hint = dialog_text(app)
        assert (value, placeholder) == ("", "") and "caesar" not in hint  # nothing here to suggest
        await pilot.press("enter")  # nothing typed, nothing suggested: the dialog stays open
        await pilot.pause()
        assert type(app.screen).__name__ == "PathDialog"
        await pilot.press("escape")
        trainer = Trainer(presets.get("hello").replace(steps=20, device="cpu"))
        for _ in trainer.run():
            pass
        trainer.save("older.safetensors")
        os.utime("older.safetensors", (1, 1))
        trainer.save("newer.safetensors")
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert dialog_text(app)[1] == "newer.safetensors"  # the newest checkpoint in this folder
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.session.selected.model is not None and app.session.selected.model.step == 20)
        os.utime("older.safetensors")  # now the newest file, but the loaded one is still suggested
        app.session.selected.saved_step = app.session.selected.model.step
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert dialog_text(app)[1] == "newer.safetensors"


async def test_a_refused_path_keeps_the_hint_about_the_suggestion(app_factory, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("not a checkpoint\n")
    app = app_factory("caesar")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o", *"notes.txt", "enter")
        await wait_for(pilot, lambda: app.screen.query("#path-reason"), timeout=60)
        value, _, hint = dialog_text(app)
        assert value == "notes.txt" and "notes.txt" not in hint, hint


@pytest.mark.parametrize("key", ["ctrl+o", "ctrl+s"])
async def test_right_arrow_completes_file_paths_in_both_dialogs(app_factory, tmp_path, monkeypatch, key):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").mkdir()
    (tmp_path / "runs" / "caesar-a.safetensors").write_bytes(b"x")
    (tmp_path / "runs" / "caesar-notes.txt").write_text("x")
    (tmp_path / "runs" / "bad\x1bname.safetensors").write_bytes(b"x")  # never offered: a raw escape
    app = app_factory("hello")
    async with app.run_test(size=(80, 24)) as pilot:
        if key == "ctrl+s":
            await pilot.press("f5")
            await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
        await pilot.press(key)
        await wait_for(pilot, lambda: type(app.screen).__name__ == "PathDialog", timeout=60)
        field = app.screen.query_one("#path-input")
        await pilot.press(*"ru")
        await wait_for(pilot, lambda: field._suggestion == "runs/", timeout=60)  # the suggester answered
        await pilot.press("right")
        assert dialog_text(app)[0] == "runs/"
        await pilot.press("c")
        await wait_for(pilot, lambda: field._suggestion == "runs/caesar-a.safetensors", timeout=60)
        await pilot.press("right")
        assert dialog_text(app)[0] == "runs/caesar-a.safetensors"  # a checkpoint before other files
        field.value = "runs/b"
        # nothing to suggest: wait until the field's suggester has answered, then handle what it posted
        await wait_for(pilot, lambda: all(w.is_finished for w in app.workers if w.node is field), timeout=60)
        await pilot.pause()
        await pilot.press("right")
        assert dialog_text(app)[0] == "runs/b"  # the name with an escape in it is not offered


async def test_a_failed_load_asks_again_with_the_reason_and_the_typed_path(app_factory, tmp_path):
    app = app_factory("caesar")
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"\x00not a checkpoint")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one("#path-input", Input).value = str(junk)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.query("#path-reason"), timeout=60)
        assert type(app.screen).__name__ == "PathDialog" and app.session.selected.model is None
        assert app.screen.query_one("#path-input", Input).value == str(junk)
        reason = str(app.screen.query_one("#path-reason").render())
        assert "junk.safetensors" in reason and "nothing was loaded" in reason
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ != "PathDialog"


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


@pytest.mark.parametrize("name", ['[link="a]x.safetensors', "[/foo]/y.safetensors", "[@click=app.quit]z"])
async def test_paths_that_look_like_markup_are_shown_as_typed(app_factory, name):
    """A file name in the hint or a refused path in the reason was read as markup: `[/foo]` crashed the app
    (its unsaved run lost) and `[@click=app.quit]` became a clickable action."""
    from tui.widgets.path_dialog import PathDialog

    app = app_factory("hello")
    async with app.run_test(size=(80, 24)) as pilot:
        app.push_screen(PathDialog("Save the model to", name, text=name, reason=f"cannot write {name!r}"))
        await wait_for(pilot, lambda: isinstance(app.screen, PathDialog))
        await pilot.pause()
        reason = str(app.screen.query_one("#path-reason").render())
        _, _, hint = dialog_text(app)
        assert name in reason and name[:20] in hint and app.is_running
