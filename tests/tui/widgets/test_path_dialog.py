"""A second first-time user's review (issue 11): the legend on a tab shown late, the palette, F5's toast,
the load dialog's suggestion and completion, wide characters in aligned rows, and smaller things."""

from __future__ import annotations

import pytest
from tui_helpers import wait_for

SIZES = [(80, 24), (120, 40)]


def plot_title(app) -> str:
    plot = app.query_one("#loss-plot").render()
    text = getattr(plot, "plain", str(plot))
    return next(line for line in text.splitlines() if line.strip())


@pytest.mark.parametrize("size", SIZES)
async def test_a_run_finished_on_another_tab_shows_its_legend_on_the_train_tab(app_factory, size):
    app = app_factory("hello")
    async with app.run_test(size=size) as pilot:
        await pilot.press("f5")
        await pilot.press("f4")  # the Train tab is hidden while the run ends: its plot measures 0 columns
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
        await pilot.pause(0.6)
        await pilot.press("f2")
        await pilot.pause(0.6)
        title = plot_title(app)
        assert "⠒ " in title and "…" not in title, title
        assert "0." in title.split("⠒", 1)[1]  # the training loss value is shown


@pytest.mark.parametrize("width", [50, 66, 78])
def test_a_narrow_legend_shortens_names_and_keeps_every_value(width):
    from tui.widgets.loss_plot import legend

    line = legend([(1500, 0.0123)], [(1500, 0.0456)], [(1500, 0.781)], width, "held-out loss")
    assert len(line) <= width and "…" not in line
    assert "0.0123" in line and "0.0456" in line and "78.1%" in line, line


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
        await wait_for(pilot, lambda: app.screen.query("#path-reason"), timeout=10)
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
        await pilot.pause()
        assert type(app.screen).__name__ == "PathDialog"
        await pilot.press(*"ru")
        await pilot.pause(0.2)
        await pilot.press("right")
        assert dialog_text(app)[0] == "runs/"
        await pilot.press("c")
        await pilot.pause(0.2)
        await pilot.press("right")
        assert dialog_text(app)[0] == "runs/caesar-a.safetensors"  # a checkpoint before other files
        app.screen.query_one("#path-input").value = "runs/b"
        await pilot.pause(0.2)
        await pilot.press("right")
        assert dialog_text(app)[0] == "runs/b"  # the name with an escape in it is not offered


def test_samples_rows_line_up_by_cell_width_with_wide_characters():
    from types import SimpleNamespace

    from rich.cells import cell_len

    from tui.widgets.samples_pane import sample_text

    sample = SimpleNamespace(input="東京へ", target="東京へ行く😀ab", output="東x京行くab😀")
    lines = sample_text(sample, ("prefix", "held-out text", "model output"), 60).plain.splitlines()
    target, output, marks = lines[1], lines[2], lines[3]

    def starts(line: str, text: str) -> list[int]:  # the cell where each character of `text` starts
        at, cells = line.index(text[0]), []
        for ch in text:
            at = line.index(ch, at)
            cells.append(cell_len(line[:at]))
            at += 1
        return cells

    output_cells = starts(output, "東x京行くab😀")
    assert starts(target, "東京へ行く😀ab") == output_cells  # each output character under its expected one
    wrong_cells = [cell_len(marks[:i]) for i, ch in enumerate(marks) if ch == "^"]
    assert wrong_cells == [output_cells[i] for i in (1, 2, 5, 6, 7)], (output, marks)  # ^ under each wrong one


async def test_paused_the_button_shows_resume_with_its_key(app_factory):
    from textual.widgets import Button

    app = app_factory("caesar")
    async with app.run_test(size=(80, 24)) as pilot:
        app.setup_pane.set_value("steps", "100000")
        await pilot.pause()
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.state.status == "running", timeout=60)
        await pilot.press("f6")
        await wait_for(pilot, lambda: app.session.selected.state.status == "paused", timeout=30)
        await pilot.pause(0.3)
        button = app.query_one("#pause", Button)
        drawn = "".join(segment.text for segment in button.render_line(0))
        assert "Resume F6" in drawn, drawn
        await pilot.press("f7")
        await wait_for(pilot, lambda: not app.session.selected.state.training, timeout=30)


@pytest.mark.parametrize("size", SIZES)
async def test_a_notification_leaves_plays_warning_readable(app_factory, size):
    app = app_factory("caesar")
    async with app.run_test(size=size, notifications=True) as pilot:
        await pilot.press("f4", *"hello 123")
        await wait_for(pilot, lambda: "not accepted" in str(app.query_one("#play-input-error").render()), timeout=10)
        app.notify("Ran 3,000 steps in 9.1 s.", title="Run completed")
        await wait_for(pilot, lambda: [toast for toast in app.screen.query("Toast") if toast.region], timeout=5)
        await pilot.pause(0.2)
        warning = app.query_one("#play-input-error").region
        toasts = list(app.screen.query("Toast"))
        assert toasts and all(not toast.region.overlaps(warning) for toast in toasts)
        assert all(toast.region.bottom <= app.query_one("Footer").region.y for toast in toasts)


async def test_completion_play_lists_only_characters_one_can_type(app_factory, tmp_path):
    from engine import presets
    from engine.training import Trainer

    corpus = tmp_path / "tabs.txt"
    corpus.write_bytes(b"ab\tba cab\r\nbac abc\tcba\n" * 200)  # tabs and CRLF line ends, a small alphabet
    app = app_factory("completion")
    async with app.run_test(size=(80, 24)) as pilot:
        trainer = Trainer(presets.get("completion").replace(corpus=str(corpus), device="cpu", steps=5))
        known = set(trainer.task.vocab.symbols) - {trainer.task.vocab.unknown}
        assert "\t" in known and "\n" in known  # the model knows them: Play must still not ask for them
        app.session.selected.hold(trainer, trainable=True)
        app.play_pane.set_model(trainer, trainer.config)
        await pilot.press("f4", *"abz")
        error = app.query_one("#play-input-error")
        await wait_for(pilot, lambda: "not accepted" in str(error.render()), timeout=10)
        reason = " ".join(str(error.render()).split())
        listed = reason.split("can be typed:", 1)[1].split("(", 1)[0]
        assert "'z'" in reason and "⇥" not in listed and "⏎" not in listed, reason
        assert "line breaks" in reason and "tabs" in reason and "cannot be typed here" in reason
