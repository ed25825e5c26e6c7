"""PlaygroundPane: type text, get the model's answer as you type (also while training runs).

caesar: the exact ciphertext of what you type and the model's decryption of it, or, in the
reverse direction, the exact and the model's decryption of ciphertext you type; completion:
your prefix plus the model's continuation; mapping: the mapped string. Predictions run in a
worker on the trainer's published snapshot, so the UI never waits on the model.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from engine.tasks import caesar
from tui.marking import count_wrong, marked
from tui.messages import PlaygroundAnswer

HELP = {"caesar": "Type plain text: its exact Caesar ciphertext and the model's decryption of it.",
        "caesar-reverse": "Type ciphertext: the exact decryption and the model's.",
        "completion": "Type the start of a sentence: the model completes it.",
        "mapping": "Type a string of the training characters: the model maps it."}


def caesar_answer(model: Any, text: str, key: int, reverse: bool) -> Text:
    shown = caesar.normalize(text)
    cipher = shown if reverse else caesar.encrypt(text, key)
    exact = caesar.decrypt(text, key) if reverse else shown
    out = Text()
    out.append("ciphertext        " if reverse else "plaintext         ", style="dim")
    out.append(f"{shown}\n")
    out.append("exact decryption  " if reverse else "exact ciphertext  ", style="dim")
    out.append(f"{exact if reverse else cipher}\n", style="bold")
    out.append("model decryption  ", style="dim")
    if model is None:
        out.append("(no model yet: F5 trains one, ctrl+o loads one)", style="dim italic")
        return out
    decrypted = model.predict(cipher)
    out.append_text(marked(decrypted, exact))
    wrong = count_wrong(decrypted, exact)
    out.append(f"   {wrong} wrong" if wrong else "   ✓ all right", style="dim")
    return out


def model_answer(model: Any, task: str, text: str, length: int, temperature: float) -> Text:
    if model is None:
        return Text("(no model yet: F5 trains one, ctrl+o loads one)", style="dim italic")
    if task == "completion":
        result = model.predict(text, length=length, temperature=temperature)
        out = Text(result[: len(text)], style="bold")
        out.append(result[len(text):], style="green")
        return out
    return Text(model.predict(text), style="bold green")


class PlaygroundPane(Vertical):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.model: Any = None
        self.play_task, self.key, self.reverse = "caesar", 13, False
        self.query_sent: tuple[Any, ...] = ()

    def compose(self) -> ComposeResult:
        yield Static(id="play-help")
        yield Input(placeholder="type here", id="play-input")
        with Horizontal(id="play-options"):
            yield Label("length", classes="option-label")
            yield Input("15", id="play-length", compact=True, type="integer")
            yield Label("temperature", classes="option-label")
            yield Input("0", id="play-temperature", compact=True, type="number")
        yield Static(id="play-answer")

    def on_mount(self) -> None:
        self._update_mode()

    def set_model(self, model: Any, config: Any) -> None:
        """Answer with `model` (a Trainer or a loaded model, or None) for the task of `config`."""
        new_task = config.task != self.play_task
        self.model, self.play_task, self.key = model, config.task, config.key
        if new_task and config.task == "completion":
            self.query_one("#play-length", Input).value = "15" if config.corpus is None else "120"
        self._update_mode()
        self.ask()

    def toggle_direction(self) -> None:
        self.reverse = not self.reverse
        self._update_mode()
        self.ask()

    def _update_mode(self) -> None:
        mode = "caesar-reverse" if self.play_task == "caesar" and self.reverse else self.play_task
        self.query_one("#play-help", Static).update(HELP.get(mode, ""))
        self.query_one("#play-options").display = self.play_task == "completion"

    def ask(self, force: bool = False) -> None:
        """Recompute the answer for the current text (on typing, or when new weights arrive)."""
        text = self.query_one("#play-input", Input).value
        if not text:
            self.query_one("#play-answer", Static).update("")
            return
        try:
            length = int(self.query_one("#play-length", Input).value or 0)
            temperature = float(self.query_one("#play-temperature", Input).value or 0)
        except ValueError:
            length, temperature = 15, 0.0
        query = (self.model, self.play_task, self.key, self.reverse, text, length, temperature)
        self.query_sent = query
        self._answer(query)

    @work(thread=True, exclusive=True, group="playground", exit_on_error=False)
    def _answer(self, query: tuple[Any, ...]) -> None:
        model, task, key, reverse, text, length, temperature = query
        try:
            if task == "caesar":
                answer = caesar_answer(model, text, key, reverse)
            else:
                answer = model_answer(model, task, text, length, temperature)
        except ValueError as error:  # characters outside the vocabulary, a bad length...
            answer = Text(f"⚠ {error}", style="bold red")
        self.post_message(PlaygroundAnswer(query, answer))

    def on_playground_answer(self, message: PlaygroundAnswer) -> None:
        if message.query == self.query_sent:
            self.query_one("#play-answer", Static).update(message.answer)

    def on_input_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.ask()
