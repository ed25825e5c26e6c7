"""Predictor: one prediction at a time, the latest question wins, a long one is abandoned."""

from __future__ import annotations

import threading
import time

import pytest

from engine import presets
from engine.training import Trainer
from tui.predictor import Predictor, predict

LONG = 1 << 16  # the longest completion Play accepts


@pytest.fixture(scope="module")
def completion_trainer():
    return Trainer(presets.get("completion"))


def test_a_new_question_abandons_a_long_completion(completion_trainer):
    delivered, started = [], threading.Event()

    def answer_it(question):
        started.set()
        return predict(completion_trainer, question[0], question[1], 0.0, predictor.stop)

    predictor = Predictor(answer_it, lambda q, a: delivered.append((q, a)))
    predictor.ask(("the ", LONG))
    assert started.wait(5)
    predictor.ask(("a", 10))
    deadline = time.monotonic() + 20
    while not delivered and time.monotonic() < deadline:
        time.sleep(0.01)
    predictor.close()
    assert [q for q, _ in delivered] == [("a", 10)]  # the long one was dropped, never shown
    assert len(delivered[0][1]) == 10
    predictor.thread.join(5)
    assert not predictor.thread.is_alive()


def test_predict_is_the_models_own_answer(completion_trainer):
    stop = threading.Event()
    assert predict(completion_trainer, "the", 30, 0.0, stop) == completion_trainer.predict("the", 30, 0.0)
