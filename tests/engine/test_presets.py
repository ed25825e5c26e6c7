"""Each preset does what it promises: the lessons as SEEDS.md measured them, the recommended ones reliably."""

import pytest

import engine
from engine.events import Evaluated, RunFinished


def train(name, **kw):
    trainer = engine.Trainer(engine.presets.get(name).replace(device="cpu", **kw))
    events = list(trainer.run())
    return trainer, events


def test_recommended_caesar_reaches_999_per_mille_and_decrypts():
    trainer, events = train("caesar")
    assert events[-1].metrics["accuracy"] >= 0.999
    assert trainer.predict("FUVEMVEMNMERPDRF") == "THIS-IS-A-SECRET"


@pytest.mark.slow  # 3.7 s at load 4
def test_caesar_lesson_is_the_lesson_model_and_learns():
    cfg = engine.presets.get("caesar-lesson")
    assert (cfg.embedding, cfg.hidden, cfg.layers, cfg.batch_size, cfg.lr) == (5, 10, 1, 1, 0.001)
    assert cfg.accumulate_grad  # the lesson never calls zero_grad
    _, events = train("caesar-lesson", steps=2500, eval_every=500)
    assert events[-1].metrics["accuracy"] >= 0.99


def test_sentences_lesson_completes_good():
    trainer, events = train("sentences-lesson")
    steps = [e.step for e in events if e.kind == "step"]
    assert steps == list(range(10, 101, 10))  # loss printed every 10 epochs, as the lesson
    assert trainer.predict("good", length=15) == "good i am fine "
    assert events[-1].metrics["loss"] < 0.35


def test_recommended_completion_completes_the_lesson_sentences():
    trainer, _ = train("completion")
    assert trainer.predict("good") == "good i am fine "
    assert trainer.predict("hey") == "hey how are you"


def hello_successes(name, seeds):
    return sum(train(name, seed=s)[0].predict("hello") == "ohlol" for s in seeds)


@pytest.mark.slow  # 3.3 s at load 4
def test_hidden_state_as_scores_is_seed_fragile_as_measured():
    # SEEDS.md measured 32/50 (12-1) and 26/50 (12-2): neither reliable nor hopeless
    assert 15 <= hello_successes("hello-rnncell-lesson", range(50)) <= 45
    assert 12 <= hello_successes("hello-rnn-lesson", range(50)) <= 42


def test_embedding_lesson_solves_every_seed():
    assert hello_successes("hello-embedding-lesson", range(20)) == 20


def test_recommended_hello_solves_seeds_0_to_9():
    assert hello_successes("hello", range(10)) == 10


def test_hello_lessons_report_the_predicted_string_every_step():
    _, events = train("hello-rnncell-lesson")
    evals = [e for e in events if isinstance(e, Evaluated)]
    assert [e.step for e in evals] == list(range(1, 16))
    assert all(e.samples[0].input == "hello" and len(e.samples[0].output) == 5 for e in evals)
    assert isinstance(events[-1], RunFinished)


# The recommended recipes for the memory tasks solve them: a user who picks `echo` or `vigenere` gets
# >= 99.9 % per-character accuracy on fresh data within the recipe's steps.
#
# The recipes are written out here (the presets engine/presets.py ships are meant to be these exact
# configs; test_the_shipped_presets_are_these_recipes checks that once they exist). The budgets are
# cut to a short delay and a short keyword so the tests stay small; benchmarks/memory_tasks.py measures
# the long ones.
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
