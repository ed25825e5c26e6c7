"""A newcomer's path at 80x24 and 120x40: keys typed ahead of a Tab land where they were meant,
labels fit, dialogs stay clear of toasts, the load dialog asks again, every key says what it did."""

from __future__ import annotations

import pytest
from textual import events
from textual.widgets import Input
from tui_helpers import wait_for

from engine import presets

SIZES = [(80, 24), (120, 40)]


def type_ahead(app, keys: list[str]) -> None:
    """Queue keys as a terminal delivers them: all at once, none waiting for the one before."""
    for key in keys:
        char = key if len(key) == 1 else None
        app.post_message(events.Key(key, char))


@pytest.mark.parametrize("size", SIZES)
async def test_keys_typed_after_a_tab_land_in_the_next_field(app_factory, size):
    app = app_factory("caesar")
    async with app.run_test(size=size) as pilot:
        key, length = app.query_one("#field-key", Input), app.query_one("#field-length", Input)
        key.value, length.value = "", ""
        key.focus()
        await pilot.pause()
        type_ahead(app, ["1", "2", "tab", "3", "4", "shift+tab", "5"])
        await wait_for(pilot, lambda: len(key.value + length.value) >= 5, timeout=5)
        await pilot.pause()
        assert (key.value, length.value) == ("125", "34")


async def test_keys_typed_after_a_tab_in_play_land_in_the_options(app_factory):
    app = app_factory("completion")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await wait_for(pilot, lambda: app.focused is app.query_one("#play-input"), timeout=5)
        type_ahead(app, ["T", "o", "tab", "4", "0", "tab", "1"])
        field = app.query_one("#play-temperature", Input)
        await wait_for(pilot, lambda: field.value == "1", timeout=5)
        assert app.query_one("#play-input", Input).value == "To"
        assert app.query_one("#play-length", Input).value == "40"


def overlaps(a, b) -> bool:
    return bool(a.region.intersection(b.region).area)


@pytest.mark.parametrize("size", SIZES)
async def test_play_labels_and_defaults_fit(app_factory, size):
    from engine import presets

    app = app_factory("completion", config=presets.get("completion").replace(corpus="shakespeare"))
    async with app.run_test(size=size) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        length, temperature = app.query_one("#play-length", Input), app.query_one("#play-temperature", Input)
        for field in (length, temperature):  # the placeholder, "(default)" included, fits its field
            assert field.content_region.width >= len(field.placeholder) + 1, field.placeholder
        app.query_one("#play-length", Input).value = "x"
        app.query_one("#play-temperature", Input).value = "y"
        error = app.query_one("#play-option-error")
        await wait_for(pilot, lambda: error.region.height >= 1, timeout=5)
        assert error.region.right <= size[0]
        assert "0 to 65536" in str(error.render()) and "positive number" in str(error.render())


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
        await pilot.pause()
        dialog = app.screen.query_one("#path-dialog, #confirm-dialog")
        toasts = list(app.screen.query("Toast"))
        assert toasts, "the toasts were shown"
        assert not any(overlaps(dialog, toast) for toast in toasts)


async def test_a_failed_load_asks_again_with_the_reason_and_the_typed_path(app_factory, tmp_path):
    app = app_factory("caesar")
    junk = tmp_path / "junk.safetensors"
    junk.write_bytes(b"\x00not a checkpoint")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+o")
        await pilot.pause()
        app.screen.query_one("#path-input", Input).value = str(junk)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.query("#path-reason"), timeout=10)
        assert type(app.screen).__name__ == "PathDialog" and app.session.selected.model is None
        assert app.screen.query_one("#path-input", Input).value == str(junk)
        reason = str(app.screen.query_one("#path-reason").render())
        assert "junk.safetensors" in reason and "nothing was loaded" in reason
        await pilot.press("escape")
        await pilot.pause()
        assert type(app.screen).__name__ != "PathDialog"


@pytest.mark.parametrize("size", SIZES)
async def test_the_header_and_the_legend_name_one_training_loss(app_factory, size):
    import re

    app = app_factory("hello")
    async with app.run_test(size=size) as pilot:
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.state.status == "finished", timeout=60)
        await pilot.pause(0.6)
        header = str(app.query_one("#stats").render())
        plot = app.query_one("#loss-plot").render()
        legend = getattr(plot, "plain", str(plot))
        header_loss = re.search(r"training loss (\d\.\d{4})", header)
        legend_loss = re.search(r"training loss (\d\.\d{4})(?: at step |\s*@)([\d,]+)", legend)
        assert header_loss and legend_loss, (header, legend)
        assert header_loss.group(1) == legend_loss.group(1)  # the same number under the same name
        assert int(legend_loss.group(2).replace(",", "")) == app.session.selected.state.step  # and says at which step
        assert "  loss " not in header  # no unnamed loss beside the held-out one


@pytest.mark.parametrize("width", [40, 60, 76, 118])
def test_the_legend_always_fits_its_line(width):
    from tui.widgets.loss_plot import legend

    line = legend([(1500, 0.0002)], [(1500, 0.0001)], [(1500, 1.0)], width, "eval loss (training data)")
    assert 0 < len(line) <= width and line.startswith("⠒ ")
    assert "0.0002" in line and "0.0001" in line and "100.0%" in line  # names shortened, never a value
    assert ("training loss" in line) == (width >= 118)


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
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDialog"  # asks, like F8
        assert "stop the run" in str(app.screen.query_one(".dim").render())
        await pilot.press("d")
        await wait_for(pilot, lambda: not app.session.selected.state.training, timeout=10)
        assert app.session.selected.model is None and app.setup_pane.rows["seed"].control.value != seed
        await start_a_long_run(pilot, app)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert type(app.screen).__name__ != "PathDialog" and app.session.selected.state.training
        assert any("Stop the run first (F7)" in n.message for n in app._notifications)
        await pilot.press("f7")
        await wait_for(pilot, lambda: not app.session.selected.state.training, timeout=10)


async def play(pilot, app, text: str) -> tuple[str, str]:
    """Type `text` in Play; (the reason line under it, the answer shown)."""
    await pilot.press("f4")
    field = app.query_one("#play-input", Input)
    await wait_for(pilot, lambda: app.focused is field, timeout=5)
    field.value = text
    await pilot.pause(0.6)  # past the "computing" delay: an answer would be there by now
    reason = str(app.query_one("#play-input-error").render())
    return (reason if field.has_class("-invalid") else "", str(app.query_one("#play-answer").render()))


@pytest.mark.parametrize("size", SIZES)
async def test_echo_play_marks_letters_outside_its_symbols(app_factory, size):
    app = app_factory("echo")  # 8 symbols: A-H
    async with app.run_test(size=size) as pilot:
        reason, answer = await play(pilot, app, "abch\x1bz9")
        assert "'z'" in reason and "'9'" in reason and "\\x1b" in reason and "'a'" not in reason
        assert "first 8 capital letters, A-H" in reason and answer == ""  # no answer to garbage
        reason, answer = await play(pilot, app, "abch-AH")
        assert reason == "" and "exact echo" in answer


async def test_cipher_play_takes_letters_of_either_case_dash_and_space(app_factory):
    app = app_factory("caesar")
    async with app.run_test(size=(80, 24)) as pilot:
        reason, answer = await play(pilot, app, "Attack at-dawn")
        assert reason == "" and "ATTACK-AT-DAWN" in answer
        reason, answer = await play(pilot, app, "attack at 5, ok?")
        assert "'5'" in reason and "','" in reason and "'?'" in reason and "letters A-Z" in reason
        assert answer == ""
        await pilot.press("f1")
        app.query_one("#field-task").value = "vigenere"
        await wait_for(pilot, lambda: app.play_pane.config.task == "vigenere", timeout=5)
        reason, answer = await play(pilot, app, "attack at 5")
        assert "'5'" in reason and answer == ""


async def test_mapping_play_takes_only_the_pairs_characters(app_factory):
    app = app_factory("hello")
    async with app.run_test(size=(80, 24)) as pilot:
        reason, answer = await play(pilot, app, "hexlo")
        assert "'x'" in reason and "the pairs' characters: e h l o" in reason and answer == ""
        reason, answer = await play(pilot, app, "hello")
        assert reason == "" and answer


async def test_completion_play_takes_the_training_text_characters(app_factory):
    from engine import presets
    from engine.training import Trainer

    app = app_factory("sentences-lesson")
    async with app.run_test(size=(80, 24)) as pilot:
        trainer = Trainer(presets.get("sentences-lesson").replace(device="cpu"))
        await pilot.pause()
        app.session.selected.hold(trainer, trainable=True)  # as after F5 built it
        app.play_pane.set_model(trainer, trainer.config)
        known = set(trainer.task.vocab.symbols) - {trainer.task.vocab.unknown}
        outside = next(ch for ch in "#@%^&*0123456789QZXJ" if ch not in known)
        reason, answer = await play(pilot, app, f"the {outside}")
        assert f"'{outside}'" in reason and f"the {len(known)} characters of the training text" in reason
        assert answer == ""
        inside = "".join(sorted(known - {" "})[:3])
        reason, answer = await play(pilot, app, inside)
        await wait_for(pilot, lambda: str(app.query_one("#play-answer").render()).startswith(inside), timeout=10)
        assert reason == ""
