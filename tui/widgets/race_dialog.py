"""RaceDialog: which cells race (a checkbox per registered cell, the race's default ones ticked) and,
optionally, which seeds.

Enter (or the Race button) starts, Escape cancels. A bad choice is said in the dialog, which stays
open: at least one cell, seeds as a list of distinct whole numbers, at most MAX_CONTESTANTS in all.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Static

from engine.cells import names as registered_cells
from engine.racing import DEFAULT_CELLS
from engine.text import visible


def read_choice(cells: tuple[str, ...], seeds_text: str, max_contestants: int) -> tuple[tuple[int, ...] | None, str]:
    """(seeds or None for the Setup's seed, "") or (None, why the choice is refused)."""
    from engine.racing import parse_seeds

    if not cells:
        return None, f"tick at least one cell ({', '.join(registered_cells())})"
    seeds = None
    if seeds_text.strip():
        try:
            seeds = parse_seeds(seeds_text)
        except ValueError as error:
            return None, f"seeds: {visible(error, 200)}"
    count = len(cells) * (len(seeds) if seeds else 1)
    if count > max_contestants:
        return None, f"{count} contestants: at most {max_contestants} race at once (fewer cells or seeds)"
    return seeds, ""


class CellBox(Checkbox, inherit_bindings=False):
    """A checkbox whose mark is drawn only when ticked: Textual's shows X either way, told apart by
    colour alone, which NO_COLOR takes away. Space ticks it; Enter races, as the Race button says
    (Textual's checkbox took Enter too: ticking a cell then pressing Enter un-ticked it)."""

    BUTTON_LEFT, BUTTON_RIGHT = "[", "]"
    BINDINGS = [Binding("space", "toggle_button", "Toggle", show=False)]

    @property
    def BUTTON_INNER(self) -> str:  # noqa: N802 (Textual's name)
        return "x" if self.value else " "


class RaceDialog(ModalScreen[tuple[tuple[str, ...], tuple[int, ...] | None] | None]):
    """Dismisses with (cells, seeds or None) or None (cancelled)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", tooltip="Close without racing"),
                Binding("enter", "race", "Race", show=False, tooltip="Race the ticked cells")]

    def __init__(self, task: str, seed: int, max_contestants: int) -> None:
        super().__init__()
        self.race_task, self.seed, self.max_contestants = task, seed, max_contestants

    def compose(self) -> ComposeResult:
        with Vertical(id="race-dialog"):
            yield Label(f"Race cells on the Setup's task ({visible(self.race_task, 20)})", id="race-title")
            with Horizontal(id="race-cells"):
                for cell in registered_cells():
                    yield CellBox(cell, cell in DEFAULT_CELLS, id=f"race-cell-{cell}", compact=True)
            with Horizontal(id="race-seeds"):
                yield Label("seeds", classes="option-label")
                yield Input("", id="race-seeds-input", placeholder=f"{self.seed} (Setup's); e.g. 0,1,2",
                            select_on_focus=False)
            yield Static("", id="race-error", markup=False)
            with Horizontal(id="race-buttons"):
                yield Button("Race (enter)", id="race-go", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="race-cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one("#race-go", Button).focus()

    def chosen_cells(self) -> tuple[str, ...]:
        return tuple(box.id.removeprefix("race-cell-") for box in self.query(CellBox) if box.value)

    def submit(self) -> None:
        cells = self.chosen_cells()
        seeds, problem = read_choice(cells, self.query_one("#race-seeds-input", Input).value, self.max_contestants)
        if problem:
            self.query_one("#race-error", Static).update(problem)
            return
        self.dismiss((cells, seeds))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "race-go":
            self.submit()
        else:
            self.dismiss(None)

    def action_race(self) -> None:
        self.submit()

    def action_cancel(self) -> None:
        self.dismiss(None)
