"""Play's predictions: one dedicated thread, at most one question pending, the latest text wins.

A completion of 60,000 characters takes many seconds. Predictions used to queue on the executor
that every worker shares, so starting or saving waited behind them. Here a new question cancels
the one being answered between two generated characters, and nothing else ever waits for it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from tui import threads


class Cancelled(Exception):
    """The question was replaced (or the app is quitting) before the answer was ready."""


class StoppableModule:
    """Wraps a torch module: every forward call (one per generated character) checks `stop` first."""

    def __init__(self, module: Any, stop: threading.Event) -> None:
        self._module, self._stop = module, stop

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._stop.is_set():
            raise Cancelled
        return self._module(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


def predict(model: Any, text: str, length: int | None, temperature: float, stop: threading.Event) -> str:
    """model.predict(text, length, temperature), abandoned between characters once `stop` is set."""
    if not hasattr(model, "snapshot"):  # anything else with predict() answers, just not cancellably
        return model.predict(text, length, temperature)
    with model.snapshot() as module:
        return model.task.predict(StoppableModule(module, stop), text, length, temperature)


class Predictor:
    """Answers questions in its own daemon thread; ask() never blocks and replaces any pending one."""

    def __init__(self, answer: Callable[[Any], Any], deliver: Callable[[Any, Any], Any]) -> None:
        self.answer, self.deliver = answer, deliver  # answer(question) -> reply; deliver(question, reply)
        self._wake = threading.Condition()
        self._pending: Any = None
        self._current_stop = threading.Event()
        self._closed = False
        self.thread: threading.Thread | None = None

    def ask(self, question: Any) -> None:
        with self._wake:
            self._pending = question
            self._current_stop.set()  # the answer being computed is for older text: drop it
            self._wake.notify()
        if self.thread is None:
            self.thread = threads.start("play", self._loop)

    def cancel(self) -> None:
        """Drop the pending question and abandon the one being answered."""
        with self._wake:
            self._pending = None
            self._current_stop.set()

    def close(self) -> None:
        with self._wake:
            self._closed, self._pending = True, None
            self._current_stop.set()
            self._wake.notify()

    @property
    def stop(self) -> threading.Event:
        """The event the question being answered must watch (set when it is replaced)."""
        return self._current_stop

    def _next(self) -> Any:
        with self._wake:
            while self._pending is None and not self._closed:
                self._wake.wait()
            if self._closed:
                return None
            question, self._pending = self._pending, None
            self._current_stop = threading.Event()
            return question

    def _loop(self) -> None:
        while (question := self._next()) is not None:
            try:
                reply = self.answer(question)
            except Cancelled:
                continue
            if not self._current_stop.is_set():
                self.deliver(question, reply)
