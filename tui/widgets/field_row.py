"""FieldRow: a label, one input control and the inline reason when its value is invalid."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Label, Static


class FieldRow(Vertical):
    def __init__(self, name: str, label: str, control: Widget, hint: str = "") -> None:
        super().__init__(id=f"row-{name}", classes="field")
        self.field_name, self.label, self.control, self.hint = name, label, control, hint

    def compose(self) -> ComposeResult:
        with Horizontal(classes="field-line"):
            yield Label(self.label, classes="field-label")
            yield self.control
            if self.hint:
                yield Static(self.hint, classes="field-hint")
        yield Static("", classes="field-error", markup=False)

    def set_error(self, message: str) -> None:
        self.query_one(".field-error", Static).update(f"⚠ {message}" if message else "")
        self.set_class(bool(message), "-invalid")
        self.control.set_class(bool(message), "-invalid")
