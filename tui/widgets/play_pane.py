"""PlayPane: type text, get the model's answer as you type (also while training runs).

The run's task says what Play shows (engine.tasks.base.Task: play_help, play(), generated_length()):
beside the model's answer the exact one where the task knows it (a cipher's decryption, in either
direction; echo's delayed stream), marked where they differ; for a task that generates, the prefix
and the model's continuation; otherwise the model's answer alone. Predictions run in one dedicated
thread on the trainer's published snapshot (tui/predictor.py): the UI never waits on the model, the
latest text wins, and a long completion is abandoned as soon as the text changes.
"""

from __future__ import annotations

import math
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from engine.tasks import task_class
from engine.text import visible
from tui import predictor
from tui.marking import count_wrong, marked
from tui.messages import PlaygroundAnswer

GREEDY_BELOW = 1e-6  # temperatures this small pick the likeliest character (dividing by them overflows)
BUSY_AFTER = 0.4  # seconds before a pending answer is shown as being computed
BUSY = "… computing the answer (typing again replaces the question)"
NO_MODEL = "(no model yet: F5 trains one, ctrl+o loads one)"


def compared_answer(model: Any, exact: Any, stop: Any) -> Text:
    """The task's rows (the last, the exact answer, in bold), then the model's answer marked against it."""
    width = max(len(name) for name, _ in [*exact.rows, (exact.label, None)]) + 2
    out = Text()
    for index, (name, value) in enumerate(exact.rows):
        out.append(name.ljust(width), style="dim")
        out.append(visible(value), style="bold" if index == len(exact.rows) - 1 else None)
        out.append("\n")
    out.append(exact.label.ljust(width), style="dim")
    if model is None:
        out.append(NO_MODEL, style="dim italic")
        return out
    answered = predictor.predict(model, exact.question, None, 0.0, stop)
    out.append_text(marked(answered, exact.answer))
    wrong = count_wrong(answered, exact.answer)
    out.append(f"   {wrong} wrong" if wrong else "   ✓ all right", style="dim")
    return out


def generated_answer(model: Any, text: str, length: int, temperature: float, stop: Any) -> Text:
    """The typed prefix, then the model's continuation."""
    if model is None:
        return Text(NO_MODEL, style="dim italic")
    temperature = 0.0 if temperature < GREEDY_BELOW else temperature
    result = predictor.predict(model, text, length, temperature, stop)
    out = Text(visible(result[: len(text)], lines=True), style="bold")
    out.append(visible(result[len(text):], lines=True), style="green")
    return out


def model_answer(model: Any, text: str, stop: Any) -> Text:
    if model is None:
        return Text(NO_MODEL, style="dim italic")
    return Text(visible(predictor.predict(model, text, None, 0.0, stop)), style="bold green")


def answer(query: tuple[Any, ...], stop: Any) -> Text:
    """What Play shows for one question (runs in the prediction thread)."""
    model, config, reverse, text, length, temperature = query
    task = task_class(config.task)
    try:
        if task.generated_length(config) is not None:
            return generated_answer(model, text, length, temperature, stop)
        exact = task.play(config, text, reverse)
        return model_answer(model, text, stop) if exact is None else compared_answer(model, exact, stop)
    except ValueError as error:  # characters outside the vocabulary, a bad length...
        return Text(f"⚠ {visible(error, 300)}", style="bold red")
    except RuntimeError as error:  # a device fault: say so, Play keeps working
        return Text(f"⚠ prediction failed: {visible(error, 200)}", style="bold red")


def read_option(field: Input, parse: Any, ok: Any) -> Any:
    """The option's value, None when blank (the default applies), or ValueError when it is bad."""
    raw = field.value.strip()
    if not raw:
        return None
    value = parse(raw)
    if not ok(value):
        raise ValueError(raw)
    return value


class PlayPane(Vertical):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model: Any = None
        self.config: Any = None  # the TrainConfig whose task Play asks; set_model() sets it before any question
        self.reverse = False
        self.default_length = 15
        self.query_sent: tuple[Any, ...] = ()
        self.busy_timer: Any = None
        self.predictor = predictor.Predictor(lambda q: answer(q, self.predictor.stop),
                                             lambda q, a: self.post_message(PlaygroundAnswer(q, a)))

    def compose(self) -> ComposeResult:
        yield Static(id="play-help")
        yield Input(placeholder="type here", id="play-input")
        yield Static("", id="play-input-error", markup=False)
        with Horizontal(id="play-options"):
            yield Label("length", classes="option-label")
            yield Input(id="play-length", compact=True, placeholder="15")
            yield Label("temperature", classes="option-label")
            yield Input(id="play-temperature", compact=True, placeholder="0")
        yield Static("", id="play-option-error", markup=False)  # its own line: both reasons fit in 80 columns
        yield Static(id="play-answer")

    def on_mount(self) -> None:
        self._update_mode()

    def on_unmount(self) -> None:
        self.predictor.close()

    @property
    def task(self) -> Any:
        """The task class Play asks about, or None before the app gives it a config."""
        return None if self.config is None else task_class(self.config.task)

    @property
    def reversible(self) -> bool:
        """Whether the task offers a second direction (ctrl+d): it has a help line for each."""
        return self.task is not None and len(self.task.play_help) > 1

    @property
    def generates(self) -> bool:
        """Whether the model answers by continuing the text (Play then takes a length and a temperature)."""
        return self.task is not None and self.task.generated_length(self.config) is not None

    def set_model(self, model: Any, config: Any) -> None:
        """Answer with `model` (a Trainer or a loaded model, or None) for the task of `config`."""
        self.model, self.config = model, config
        if self.generates:
            self.default_length = self.task.generated_length(config)
            self.query_one("#play-length", Input).placeholder = f"{self.default_length} (default)"
        self._update_mode()
        self.ask()

    def toggle_direction(self) -> None:
        self.reverse = not self.reverse
        self._update_mode()
        self.ask()

    def _update_mode(self) -> None:
        helps = () if self.task is None else self.task.play_help
        self.query_one("#play-help", Static).update(helps[self.reverse and self.reversible] if helps else "")
        self.query_one("#play-options").display = self.generates
        self.query_one("#play-temperature", Input).placeholder = "0 (default)"

    def options(self) -> tuple[int, float] | None:
        """(length, temperature) from the option fields, blanks meaning the defaults; None if one is bad."""
        fields = self.query_one("#play-length", Input), self.query_one("#play-temperature", Input)
        bad = []
        try:
            length = read_option(fields[0], int, lambda n: 0 <= n <= 1 << 16)
        except ValueError:
            bad.append("length: a whole number from 0 to 65536")
        try:
            temperature = read_option(fields[1], float, lambda t: math.isfinite(t) and t >= 0)
        except ValueError:
            bad.append("temperature: 0 (greedy) or a positive number")
        fields[0].set_class(any(b.startswith("length") for b in bad), "-invalid")
        fields[1].set_class(any(b.startswith("temperature") for b in bad), "-invalid")
        error = self.query_one("#play-option-error", Static)
        error.update(f"⚠ {'; '.join(bad)}" if bad else "")
        error.display = bool(bad)
        if bad:
            return None
        return (self.default_length if length is None else length, 0.0 if temperature is None else temperature)

    def ask(self) -> None:
        """Recompute the answer for the current text (on typing, or when new weights arrive)."""
        field = self.query_one("#play-input", Input)
        text = field.value
        vocab = getattr(getattr(self.model, "task", None), "vocab", None)  # the model's characters, once there is one
        problem = self.task.refused(self.config, vocab, text) if self.config is not None else ""
        field.set_class(bool(problem), "-invalid")
        reason = self.query_one("#play-input-error", Static)
        reason.update(f"⚠ {problem}" if problem else "")
        reason.display = bool(problem)  # no blank line when there is nothing to say
        options = self.options() if self.generates else (0, 0.0)
        if not text or options is None or problem:  # never an answer to what was not asked
            self.query_sent = ()
            self.predictor.cancel()  # nothing to answer: drop what is being computed
            self.query_one("#play-answer", Static).update("")
            return
        query = (self.model, self.config, self.reverse and self.reversible, text, *options)
        self.query_sent = query
        self.predictor.ask(query)
        if self.busy_timer is not None:
            self.busy_timer.stop()
        self.busy_timer = self.set_timer(BUSY_AFTER, self._show_busy)

    def _show_busy(self) -> None:
        """An answer that takes a while (a long completion) says so instead of showing a stale one."""
        self.busy_timer = None
        if self.query_sent:
            self.query_one("#play-answer", Static).update(Text(BUSY, style="dim italic"))

    def on_playground_answer(self, message: PlaygroundAnswer) -> None:
        if message.query == self.query_sent:
            if self.busy_timer is not None:
                self.busy_timer.stop()
                self.busy_timer = None
            self.query_one("#play-answer", Static).update(message.answer)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.ask()
