"""The recommended recipes for the memory tasks solve them: a user who picks `echo` or `vigenere` gets
>= 99.9 % per-character accuracy on fresh data within the recipe's steps.

The recipes are written out here (the presets engine/presets.py ships are meant to be these exact
configs; test_the_shipped_presets_are_these_recipes checks that once they exist). The budgets are
cut to a short delay and a short keyword so the tests stay small; benchmarks/memory_tasks.py measures
the long ones.
"""

import pytest

import engine
from engine.events import Evaluated, RunFinished

SOLVED = 0.999

ECHO = engine.TrainConfig(task="echo", symbols=8, delay=10, cell="lstm", forget_bias=1.0, embedding=16, hidden=128,
                          lr=0.01, batch_size=64, length=128, steps=5000, clip=1.0, precision="auto",
                          schedule="cosine", warmup=0.05, until=0.999, log_every=10, eval_every=50)
VIGENERE = engine.TrainConfig(task="vigenere", keyword="SECRET", cell="lstm", forget_bias=1.0, embedding=16,
                              hidden=128, lr=0.01, batch_size=64, length=48, steps=2000, clip=1.0,
                              schedule="cosine", warmup=0.05, until=0.999, log_every=10, eval_every=50)


def steps_to_solve(config) -> int | None:
    """The first evaluated step at SOLVED accuracy on the task's fresh evaluation data, or None."""
    for event in engine.Trainer(config.replace(device="cpu")).run():
        if isinstance(event, Evaluated) and event.accuracy >= SOLVED:
            return event.step
        if isinstance(event, RunFinished):
            return None
    return None


@pytest.mark.slow  # 4.5 s at load 4
def test_the_echo_recipe_remembers_five_symbols_back():
    assert steps_to_solve(ECHO.replace(delay=5, steps=300, length=64)) is not None  # length 64: 4 s, not 11


@pytest.mark.slow  # 13.5 s at load 4
def test_the_vigenere_recipe_decrypts_a_three_letter_keyword():
    assert steps_to_solve(VIGENERE.replace(keyword="KEY")) is not None  # --until ends it when solved (~400)


def test_an_untrained_echo_model_is_not_solved_by_the_blanks_alone():
    # the first `delay` targets are blanks a model gets right for free; the bar must need the echo
    assert steps_to_solve(ECHO.replace(delay=5, steps=1, eval_every=1)) is None


@pytest.mark.parametrize("name, recipe", [("echo", ECHO), ("vigenere", VIGENERE)])
def test_the_shipped_presets_are_these_recipes(name, recipe):
    if name not in engine.presets.names():
        pytest.skip(f"no {name} preset yet")
    assert engine.presets.get(name) == recipe
