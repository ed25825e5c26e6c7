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
