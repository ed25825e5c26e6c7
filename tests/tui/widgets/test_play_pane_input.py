"""What Play accepts as typed, at 80x24 and 120x40: keys typed ahead of a Tab land in the options, labels and
defaults fit, each task names the characters it takes and marks the others, and a toast leaves the warning
readable."""

from __future__ import annotations

import pytest
from textual.widgets import Input
from tui_helpers import SIZES, type_ahead, wait_for

from engine import presets


async def test_keys_typed_after_a_tab_in_play_land_in_the_options(app_factory):
    app = app_factory("completion")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f4")
        await wait_for(pilot, lambda: app.focused is app.query_one("#play-input"), timeout=30)
        type_ahead(app, ["T", "o", "tab", "4", "0", "tab", "1"])
        field = app.query_one("#play-temperature", Input)
        await wait_for(pilot, lambda: field.value == "1", timeout=30)
        assert app.query_one("#play-input", Input).value == "To"
        assert app.query_one("#play-length", Input).value == "40"


@pytest.mark.parametrize("size", SIZES)
async def test_play_labels_and_defaults_fit(app_factory, size):

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
        await wait_for(pilot, lambda: error.region.height >= 1, timeout=30)
        assert error.region.right <= size[0]
        assert "0 to 65536" in str(error.render()) and "positive number" in str(error.render())


def watch_play(pane) -> tuple[list, list]:
    """Record what Play asked (the text of each ask()) and each answer its thread delivered (question, reply)."""
    if not hasattr(pane, "seen"):
        ask, deliver = pane.ask, pane.predictor.deliver
        pane.seen = ([], [])

        def asked() -> None:
            ask()
            pane.seen[0].append(pane.query_one("#play-input", Input).value)

        def delivered(question, reply) -> None:
            pane.seen[1].append((question, reply))
            deliver(question, reply)

        pane.ask, pane.predictor.deliver = asked, delivered
    return pane.seen


async def play(pilot, app, text: str) -> tuple[str, str]:
    """Type `text` in Play; (the reason line under it, the answer shown) once Play has taken the text and,
    if it asked the model, shown the model's answer. Refused text is never asked: its answer is blanked in
    the same call that marks it (no delay to wait out: an answer cannot come)."""
    await pilot.press("f4")
    field = app.query_one("#play-input", Input)
    await wait_for(pilot, lambda: app.focused is field, timeout=30)
    pane = app.play_pane
    asked, delivered = watch_play(pane)
    field.value = text
    await wait_for(pilot, lambda: asked and asked[-1] == text, timeout=60)  # Play took this text
    shown = app.query_one("#play-answer")
    if pane.query_sent:  # asked the model: wait for its answer to this question on the screen
        await wait_for(pilot, lambda: any(q is pane.query_sent and shown.content is a for q, a in delivered),
                       timeout=60)
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
        await wait_for(pilot, lambda: app.play_pane.config.task == "vigenere", timeout=30)
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
        await wait_for(pilot, lambda: str(app.query_one("#play-answer").render()).startswith(inside), timeout=60)
        assert reason == ""


@pytest.mark.parametrize("size", SIZES)
async def test_a_notification_leaves_plays_warning_readable(app_factory, size):
    app = app_factory("caesar")
    async with app.run_test(size=size, notifications=True) as pilot:
        await pilot.press("f4", *"hello 123")
        await wait_for(pilot, lambda: "not accepted" in str(app.query_one("#play-input-error").render()), timeout=60)
        app.notify("Ran 3,000 steps in 9.1 s.", title="Run completed")
        await wait_for(pilot, lambda: [toast for toast in app.screen.query("Toast") if toast.region], timeout=60)
        # the rack places the toast, then scrolls to its end: wait for the place this test checks, then check
        placed = lambda: all(not toast.region.overlaps(app.query_one("#play-input-error").region)  # noqa: E731
                             and toast.region.bottom <= app.query_one("Footer").region.y
                             for toast in app.screen.query("Toast"))
        await wait_for(pilot, placed, timeout=60)
        warning = app.query_one("#play-input-error").region
        toasts = list(app.screen.query("Toast"))
        assert toasts and all(not toast.region.overlaps(warning) for toast in toasts)
        assert all(toast.region.bottom <= app.query_one("Footer").region.y for toast in toasts)


async def test_completion_play_lists_only_characters_one_can_type(app_factory, tmp_path):
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
        await wait_for(pilot, lambda: "not accepted" in str(error.render()), timeout=60)
        reason = " ".join(str(error.render()).split())
        listed = reason.split("can be typed:", 1)[1].split("(", 1)[0]
        assert "'z'" in reason and "⇥" not in listed and "⏎" not in listed, reason
        assert "line breaks" in reason and "tabs" in reason and "cannot be typed here" in reason
