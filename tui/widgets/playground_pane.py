"""PlaygroundPane: type text, get the model's answer as you type (also while training runs).

caesar and vigenere: the exact ciphertext of what you type and the model's decryption of it, or,
in the reverse direction, the exact and the model's decryption of ciphertext you type; echo: the
exact delayed stream and the model's echo; completion:
your prefix plus the model's continuation; mapping: the mapped string. Predictions run in one
dedicated thread on the trainer's published snapshot (tui/predictor.py): the UI never waits on
the model, the latest text wins, and a long completion is abandoned as soon as the text changes.
"""

from __future__ import annotations

import math
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from engine.tasks import caesar, echo, vigenere
from engine.tasks.accepted_text import refused
from engine.text import visible
from tui import predictor
from tui.marking import count_wrong, marked
from tui.messages import PlaygroundAnswer

HELP = {"caesar": "Type plain text: its exact Caesar ciphertext and the model's decryption of it.",
        "caesar-reverse": "Type ciphertext: the exact decryption and the model's.",
        "vigenere": "Type plain text: its exact Vigenère ciphertext and the model's decryption of it.",
        "vigenere-reverse": "Type ciphertext: the exact decryption and the model's.",
        "echo": "Type letters: the stream delayed by the task's delay, exactly and as the model echoes it.",
        "completion": "Type the start of a sentence: the model completes it.",
        "mapping": "Type a string of the training characters: the model maps it."}
CIPHERS = {"caesar": caesar, "vigenere": vigenere}  # tasks whose Play shows the exact cipher beside the model
GREEDY_BELOW = 1e-6  # temperatures this small pick the likeliest character (dividing by them overflows)
BUSY_AFTER = 0.4  # seconds before a pending answer is shown as being computed
BUSY = "… computing the answer (typing again replaces the question)"
NO_MODEL = "(no model yet: F5 trains one, ctrl+o loads one)"


def task_key(config: Any) -> Any:
    """What the exact reference needs besides the text: the key, keyword, or (delay, symbols)."""
    return {"caesar": config.key, "vigenere": config.keyword, "echo": (config.delay, config.symbols)}.get(config.task)


def cipher_answer(model: Any, text: str, task: str, key: Any, reverse: bool, stop: Any) -> Text:
    cipher_of = CIPHERS[task]
    shown = caesar.normalize(text)
    cipher = shown if reverse else cipher_of.encrypt(text, key)
    exact = cipher_of.decrypt(text, key) if reverse else shown
    rows = [("ciphertext" if reverse else "plaintext", Text(shown)),
            ("exact decryption" if reverse else "exact ciphertext", Text(exact if reverse else cipher, style="bold"))]
    return _compared(rows, "model decryption", model, cipher, exact, stop)


def echo_answer(model: Any, text: str, key: Any, stop: Any) -> Text:
    delay, symbols = key
    stream = echo.normalize(text, symbols)
    exact = echo.echo(text, delay, symbols)
    rows = [("stream", Text(stream)), (f"exact echo ({delay} back)", Text(exact, style="bold"))]
    return _compared(rows, "model echo", model, stream, exact, stop)


def _compared(rows: list, label: str, model: Any, asked: str, exact: str, stop: Any) -> Text:
    """The rows, then the model's answer to `asked` marked against `exact`, with a count."""
    width = max(len(name) for name, _ in [*rows, (label, None)]) + 2
    out = Text()
    for name, value in rows:
        out.append(name.ljust(width), style="dim")
        out.append_text(value)
        out.append("\n")
    out.append(label.ljust(width), style="dim")
    if model is None:
        out.append(NO_MODEL, style="dim italic")
        return out
    answered = predictor.predict(model, asked, None, 0.0, stop)
    out.append_text(marked(answered, exact))
    wrong = count_wrong(answered, exact)
    out.append(f"   {wrong} wrong" if wrong else "   ✓ all right", style="dim")
    return out


def model_answer(model: Any, task: str, text: str, length: int, temperature: float, stop: Any) -> Text:
    if model is None:
        return Text(NO_MODEL, style="dim italic")
    if task == "completion":
        temperature = 0.0 if temperature < GREEDY_BELOW else temperature
        result = predictor.predict(model, text, length, temperature, stop)
        out = Text(visible(result[: len(text)], lines=True), style="bold")
        out.append(visible(result[len(text):], lines=True), style="green")
        return out
    return Text(visible(predictor.predict(model, text, None, 0.0, stop)), style="bold green")


def answer(query: tuple[Any, ...], stop: Any) -> Text:
    """What Play shows for one question (runs in the prediction thread)."""
    model, task, key, reverse, text, length, temperature = query
    try:
        if task in CIPHERS:
            return cipher_answer(model, text, task, key, reverse, stop)
        if task == "echo":
            return echo_answer(model, text, key, stop)
        return model_answer(model, task, text, length, temperature, stop)
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


class PlaygroundPane(Vertical):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model: Any = None
        self.config: Any = None
        self.play_task, self.key, self.reverse = "caesar", 13, False
        self.default_length = 15
        self.query_sent: tuple[Any, ...] = ()
        self.busy_timer: Any = None
        self.predictor = predictor.Predictor(lambda q: answer(q, self.predictor.stop),
                                             lambda q, a: self.post_message(PlaygroundAnswer(q, a)))

    def compose(self) -> ComposeResult:
        yield Static(id="play-help")
        yield Input(placeholder="type here", id="play-input")
        yield Static("", id="play-input-error")
        with Horizontal(id="play-options"):
            yield Label("length", classes="option-label")
            yield Input(id="play-length", compact=True, placeholder="15")
            yield Label("temperature", classes="option-label")
            yield Input(id="play-temperature", compact=True, placeholder="0")
        yield Static("", id="play-option-error")  # its own line: both reasons fit in 80 columns
        yield Static(id="play-answer")

    def on_mount(self) -> None:
        self._update_mode()

    def on_unmount(self) -> None:
        self.predictor.close()

    def set_model(self, model: Any, config: Any) -> None:
        """Answer with `model` (a Trainer or a loaded model, or None) for the task of `config`."""
        self.model, self.config, self.play_task, self.key = model, config, config.task, task_key(config)
        if config.task == "completion":
            self.default_length = 15 if config.corpus is None else 120
            self.query_one("#play-length", Input).placeholder = f"{self.default_length} (default)"
        self._update_mode()
        self.ask()

    def toggle_direction(self) -> None:
        self.reverse = not self.reverse
        self._update_mode()
        self.ask()

    def _update_mode(self) -> None:
        mode = f"{self.play_task}-reverse" if self.play_task in CIPHERS and self.reverse else self.play_task
        self.query_one("#play-help", Static).update(HELP.get(mode, ""))
        self.query_one("#play-options").display = self.play_task == "completion"
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
        vocab = getattr(getattr(self.model, "task", None), "vocab", None)  # a completion model's characters
        problem = refused(text, self.config, vocab) if self.config is not None else ""
        field.set_class(bool(problem), "-invalid")
        reason = self.query_one("#play-input-error", Static)
        reason.update(f"⚠ {problem}" if problem else "")
        reason.display = bool(problem)  # no blank line when there is nothing to say
        options = self.options() if self.play_task == "completion" else (0, 0.0)
        if not text or options is None or problem:  # never an answer to what was not asked
            self.query_sent = ()
            self.predictor.cancel()  # nothing to answer: drop what is being computed
            self.query_one("#play-answer", Static).update("")
            return
        query = (self.model, self.play_task, self.key, self.reverse, text, *options)
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
