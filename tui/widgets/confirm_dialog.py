"""ConfirmDialog: work would be lost (unsaved training); s saves first, d discards, Escape cancels."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static


class ConfirmDialog(ModalScreen[str | None]):
    """Dismisses with "save", "discard" or None (cancel)."""

    BINDINGS = [
        Binding("s", "choose('save')", "Save first", tooltip="Save the model, then go on"),
        Binding("d", "choose('discard')", "Discard", tooltip="Go on without saving"),
        Binding("escape,c", "choose('')", "Cancel", tooltip="Keep the model and do nothing"),
    ]

    def __init__(self, question: str, detail: str) -> None:
        super().__init__()
        self.question, self.detail = question, detail

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            yield Label(self.question, id="confirm-title", markup=False)
            yield Static(self.detail, classes="dim", markup=False)
            with Horizontal(id="confirm-buttons"):
                yield Button("Save first (s)", id="confirm-save", variant="primary", compact=True,
                             action="screen.choose('save')")
                yield Button("Discard (d)", id="confirm-discard", variant="error", compact=True,
                             action="screen.choose('discard')")
                yield Button("Cancel (esc)", id="confirm-cancel", compact=True, action="screen.choose('')")

    def on_mount(self) -> None:
        self.query_one("#confirm-cancel", Button).focus()  # Enter on the default loses nothing

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice or None)
