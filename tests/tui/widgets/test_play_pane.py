"""Play under load: the latest text wins and nothing (starting, saving) waits for a prediction; the option
fields' bad input, non-finite weights, and the exact answer beside the model's."""

from __future__ import annotations

import threading

import pytest
import torch
from textual.widgets import Input, Static
from tui_helpers import wait_for

from engine import presets
from engine.tasks import vigenere
from engine.training import Trainer
from tui.reports import TrainerCreated

LONG = 1 << 16  # the longest completion Play accepts


@pytest.fixture(scope="module")
def completion_trainer():
    return Trainer(presets.get("completion"))


def answer(app) -> str:
    return str(app.query_one("#play-answer", Static).render())


async def test_typing_with_a_long_length_never_delays_starting(app_factory, completion_trainer):
    app = app_factory("completion")
    async with app.run_test(size=(80, 24)) as pilot:
        app.report(TrainerCreated(completion_trainer))
        await pilot.press("f4")
        app.query_one("#play-length", Input).value = str(LONG)
        typed = app.query_one("#play-input", Input)
        for end in range(1, 12):  # each keystroke asks again: at most one prediction is ever pending
            typed.value = "he can ride"[:end]  # (pilot.press waits for an idle process: never, here)
            await pilot.pause(0.05)  # keystrokes paced as typed: not a wait for anything (checked below)
        assert [t.name for t in threading.enumerate()].count("rnnplay-play") == 1
        await pilot.press("f5")
        await wait_for(pilot, lambda: app.session.selected.state.status in ("running", "finished"), timeout=60)
        app.query_one("#play-length", Input).value = "20"
        await wait_for(pilot, lambda: "he can ride" in answer(app), timeout=60)


async def test_bad_play_options_are_marked_and_blanks_use_the_defaults(app_factory, completion_trainer):
    app = app_factory("completion")
    async with app.run_test(size=(80, 24)) as pilot:
        app.report(TrainerCreated(completion_trainer))
        await pilot.press("f4")
        await pilot.press(*"he")
        await wait_for(pilot, lambda: answer(app).startswith("he"))
        temperature = app.query_one("#play-temperature", Input)
        assert "0" in temperature.placeholder and "default" in temperature.placeholder
        temperature.focus()
        await pilot.press(*"hot")  # letters are accepted as typed, then marked
        await pilot.pause()
        assert temperature.value == "hot" and temperature.has_class("-invalid")
        assert "temperature" in str(app.query_one("#play-option-error", Static).render())
        assert answer(app) == ""  # no answer from a setting that is not what was typed
        temperature.value = ""
        await wait_for(pilot, lambda: answer(app).startswith("he"))  # blank: the default (greedy)
        assert not temperature.has_class("-invalid")
        assert answer(app) == completion_trainer.predict("he", app.play_pane.default_length, 0.0)
        temperature.value = "1e-300"  # tiny temperatures are greedy, not an error
        await wait_for(pilot, lambda: answer(app) == completion_trainer.predict("he", 15, 0.0))


async def test_a_model_with_non_finite_weights_says_so_in_play(app_factory):
    trainer = Trainer(presets.get("completion"))
    with torch.no_grad():
        for module in (trainer.model, *_snapshots(trainer)):
            for p in module.parameters():
                p.fill_(float("nan"))
    app = app_factory("completion")
    async with app.run_test(size=(80, 24)) as pilot:
        app.report(TrainerCreated(trainer))
        await pilot.press("f4")
        app.query_one("#play-temperature", Input).value = "1"
        await pilot.press(*"he")
        await wait_for(pilot, lambda: "not a finite number" in answer(app))


def _snapshots(trainer) -> list:
    """The published copy predict() reads."""
    with trainer.snapshot() as module:
        return [module]


@pytest.mark.parametrize("preset, typed, rows", [
    ("vigenere", "attack at dawn", ["exact ciphertext  ", "model decryption  "]),
    ("echo", "abcdefghabcd", ["exact echo (10 back)  --------", "model echo"]),
])
async def test_vigenere_and_echo_play_show_the_exact_answer_beside_the_model(app_factory, preset, typed, rows):
    app = app_factory(preset)
    async with app.run_test(size=(80, 24)) as pilot:
        app.report(TrainerCreated(Trainer(presets.get(preset).replace(steps=1))))
        await pilot.press("f4")
        await pilot.press(*typed)
        await wait_for(pilot, lambda: "wrong" in answer(app) or "all right" in answer(app))
        for row in rows:
            assert row in answer(app)
        if preset == "vigenere":
            assert vigenere.encrypt(typed, "SECRET") in answer(app)
            await pilot.press("ctrl+t")  # the text is now ciphertext: its exact decryption
            decrypted = vigenere.decrypt(typed, "SECRET")
            await wait_for(pilot, lambda: f"exact decryption  {decrypted}" in answer(app))
