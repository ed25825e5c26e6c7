"""Setup at 80 columns: only the settings the task uses, the built-in corpora offered, a visible focus on every
stop, keys typed ahead of a Tab in the next field, dropdowns clear of the footer, honest device threads."""

from __future__ import annotations

import pytest
from textual.widgets import Input, Select, Static
from tui_helpers import SIZES, set_field, type_ahead, wait_for

from engine import presets
from tui.app import make_app


def shown_fields(app) -> set[str]:
    return {row.field_name for row in app.query("FieldRow") if row.display and row.field_name != "preset"}


async def test_the_sentences_lesson_shows_no_batch_or_length(app_factory):
    app = app_factory("sentences-lesson")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert {"batch_size", "length", "key", "pairs"}.isdisjoint(shown_fields(app))
        assert "corpus" in shown_fields(app)
        await set_field(pilot, app, "corpus", "shakespeare")  # a corpus makes batch and length count
        assert {"batch_size", "length"} <= shown_fields(app)
        await set_field(pilot, app, "batch_size", "nope")
        assert app.session.config is None
        await set_field(pilot, app, "corpus", "")  # hidden again: its bad value no longer blocks a start
        assert "batch_size" not in shown_fields(app) and app.session.config is not None
        app.query_one("#field-task", Select).value = "caesar"
        await pilot.pause()
        assert {"key", "length", "batch_size"} <= shown_fields(app) and "corpus" not in shown_fields(app)


async def test_the_corpus_field_offers_the_built_in_corpora(app_factory):
    app = app_factory("completion")
    async with app.run_test(size=(80, 24)) as pilot:
        field = app.query_one("#field-corpus", Input)
        assert "shakespeare" in str(app.query_one("#row-corpus .field-hint", Static).render())
        field.value = ""
        field.focus()
        await pilot.press(*"shak")
        await pilot.pause()
        await pilot.press("right")  # accept the suggestion
        await pilot.pause()
        assert field.value == "shakespeare"
        assert app.session.config is not None and app.session.config.corpus == "shakespeare"


async def test_every_focus_stop_in_setup_is_visible(app_factory):
    app = app_factory("caesar")
    async with app.run_test(size=(80, 24)) as pilot:
        seen = set()
        for _ in range(25):
            await pilot.press("tab")
            focused = app.focused
            if focused is None or focused.id in seen:
                break
            seen.add(focused.id)
            if focused.id and focused.id.startswith("field-"):
                row = app.query_one(f"#row-{focused.id.removeprefix('field-')}")
                assert "reverse" in str(row.query_one(".field-label").styles.text_style)
            else:  # the only other stop is the tab bar, which shows its own highlight
                assert type(focused).__name__ == "ContentTabs", focused
        assert "field-device" in seen and "config" not in seen


async def test_the_device_dropdown_opens_clear_of_the_footer(app_factory):
    app = app_factory("caesar")
    async with app.run_test(size=(80, 24)) as pilot:
        app.query_one("#field-device").focus()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        overlay = app.query_one("#field-device SelectOverlay")
        footer = app.query_one("Footer")
        assert overlay.display and overlay.region.bottom <= footer.region.y


async def test_the_device_list_says_how_many_threads_training_uses():
    app = make_app("caesar", threads=1)  # probes the machine like `rnnplay tui --threads 1`
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: app.setup_pane.devices is not None, timeout=30)
        labels = dict(app.setup_pane.devices)
        assert labels["cpu"] == "CPU (1 thread for training)"


async def test_rnnplay_tui_settings_open_the_app_with_them_under_the_presets_name():
    config = presets.get("completion").replace(corpus="shakespeare", steps=123)
    app = make_app("completion", config=config)
    assert app.session.initial_config == config and app.initial_preset == "completion"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.sub_title == "completion" and app.session.config == config
        assert app.query_one("#field-corpus", Input).value == "shakespeare"


async def test_the_lstm_lesson_solves_its_exercise_with_its_default_seed(app_factory):
    app = app_factory("hello-lstm-lesson")
    async with app.run_test(size=(80, 24)) as pilot:
        assert "more than 15 epochs" in str(app.query_one("#preset-description", Static).render())
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
        assert app.session.selected.state.latest.accuracy == 1.0


async def test_the_corpus_field_names_what_is_wrong_with_a_folder_or_a_pipe(app_factory, tmp_path):
    import os

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    utf16 = tmp_path / "latin.txt"  # marked as you type, not first at F5 (a newcomer's finding)
    utf16.write_bytes("hello world\n".encode("utf-16"))
    app = app_factory("completion")
    async with app.run_test(size=(80, 24)) as pilot:
        for value, words in ((str(tmp_path), "is a folder"), (str(fifo), "named pipe"), ("shakespear", "did you mean"),
                             (str(utf16), "UTF-16")):
            await set_field(pilot, app, "corpus", value)
            assert app.session.config is None
            assert words in str(app.query_one("#row-corpus .field-error", Static).render())
        await set_field(pilot, app, "corpus", "shakespeare")
        assert app.session.config is not None and app.session.config.corpus == "shakespeare"


@pytest.mark.parametrize("size", SIZES)
async def test_keys_typed_after_a_tab_land_in_the_next_field(app_factory, size):
    app = app_factory("caesar")
    async with app.run_test(size=size) as pilot:
        key, length = app.query_one("#field-key", Input), app.query_one("#field-length", Input)
        key.value, length.value = "", ""
        key.focus()
        await pilot.pause()
        type_ahead(app, ["1", "2", "tab", "3", "4", "shift+tab", "5"])
        await wait_for(pilot, lambda: len(key.value + length.value) >= 5, timeout=60)
        await pilot.pause()
        assert (key.value, length.value) == ("125", "34")
