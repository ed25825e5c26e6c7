"""FieldRow: a label, its control, a hint, and the reason a value is refused, marked on the row and control."""

from __future__ import annotations

from textual.app import App
from textual.widgets import Input, Static

from tui.widgets.field_row import FieldRow


async def test_an_error_marks_the_row_and_its_control_and_clearing_it_unmarks_them():
    class RowApp(App):
        def compose(self):
            yield FieldRow("hidden", "Hidden size", Input(id="field-hidden"), hint="units")

    app = RowApp()
    async with app.run_test() as pilot:
        row = app.query_one(FieldRow)
        assert row.id == "row-hidden" and str(row.query_one(".field-hint", Static).render()) == "units"
        row.set_error("a whole number")
        await pilot.pause()
        assert row.has_class("-invalid") and row.control.has_class("-invalid")
        assert str(row.query_one(".field-error", Static).render()) == "⚠ a whole number"
        row.set_error("")
        await pilot.pause()
        assert not row.has_class("-invalid") and not row.control.has_class("-invalid")
        assert str(row.query_one(".field-error", Static).render()) == ""
