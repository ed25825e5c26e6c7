"""PathDialog: ask for a checkpoint path (save or load); Enter confirms, Escape cancels.

The field starts empty with the suggested name (if any) shown as its placeholder, and Enter on an
empty field takes the suggestion; → completes the suggestion or a file path (tui.path_suggester).
It used to start filled in with the text selected on focus: keys
typed while the app lagged could arrive before the select-on-focus (or between it and the first
redraw), so they were inserted into the suggestion instead of replacing it (`./etensors`).
An empty field has no selection and no cursor position to race with: what you type is the path.
Asked again after a refusal, the field holds what was typed (`text`), cursor at its end, nothing
selected, so the user edits it, and the reason it was refused is shown above it; the hint below
still names the suggestion, not the refused path.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from engine.text import visible
from tui.path_suggester import PathSuggester


class PathDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Close without saving or loading")]

    def __init__(self, title: str, suggestion: str, text: str = "", reason: str = "") -> None:
        super().__init__()
        self.title_text, self.suggestion, self.text, self.reason = title, suggestion, text, reason

    def hint(self) -> str:
        enter = f"Enter: {visible(self.suggestion, 50)} or the path you type" if self.suggestion else \
            "Type a path, then Enter"
        return f"{enter}; → completes file names; Escape cancels"

    def compose(self) -> ComposeResult:
        with Vertical(id="path-dialog"):
            yield Label(self.title_text, id="path-title", markup=False)
            if self.reason:
                yield Static(f"⚠ {visible(self.reason, 300)}", id="path-reason", markup=False)
            yield Input(self.text, id="path-input", select_on_focus=False,
                        placeholder=visible(self.suggestion, 200), suggester=PathSuggester(self.suggestion))
            yield Static(self.hint(), id="path-hint", classes="dim", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        choice = event.value.strip() or self.suggestion
        if choice:  # nothing typed and nothing to suggest: the hint says to type a path
            self.dismiss(choice)

    def action_cancel(self) -> None:
        self.dismiss(None)
