"""PathDialog: ask for a checkpoint path (save or load); Enter confirms, Escape cancels.

The field starts empty with the suggested name shown as its placeholder, and Enter on an empty
field takes the suggestion. It used to start filled in with the text selected on focus: keys
typed while the app lagged could arrive before the select-on-focus (or between it and the first
redraw), so they were inserted into the suggestion instead of replacing it (`./etensors`).
An empty field has no selection and no cursor position to race with: what you type is the path.
Asked again after a refusal (`typed`), the field holds what was typed, cursor at its end, nothing
selected, so the user edits it, and the reason it was refused is shown above it.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, Static

from engine.text import visible


class PathDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Close without saving or loading")]

    def __init__(self, title: str, suggestion: str, typed: bool = False, reason: str = "") -> None:
        super().__init__()
        self.title_text, self.suggestion, self.typed, self.reason = title, suggestion, typed, reason

    def compose(self) -> ComposeResult:
        with Vertical(id="path-dialog"):
            yield Label(self.title_text, id="path-title")
            if self.reason:
                yield Static(f"⚠ {visible(self.reason, 300)}", id="path-reason")
            yield Input(self.suggestion if self.typed else "", id="path-input", select_on_focus=False,
                        placeholder=visible(self.suggestion, 200),
                        suggester=SuggestFromList([self.suggestion], case_sensitive=True))
            yield Static(f"Enter: {visible(self.suggestion, 50)} or the path you type; → completes; "
                         "Escape cancels", classes="dim")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or self.suggestion)

    def action_cancel(self) -> None:
        self.dismiss(None)
