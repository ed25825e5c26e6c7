"""ConfirmDialog: s saves first, d discards, Escape or c cancels, and Enter on the focused button loses nothing."""

from __future__ import annotations

import pytest
from textual.app import App

from tui.widgets.confirm_dialog import ConfirmDialog


@pytest.mark.parametrize("keys, answer", [(("s",), "save"), (("d",), "discard"), (("escape",), None),
                                          (("c",), None), (("enter",), None)])
async def test_each_key_gives_its_answer(keys, answer):
    answers = []

    class DialogApp(App):
        def on_mount(self):
            self.push_screen(ConfirmDialog("Discard?", "40 steps are not saved"), answers.append)

    app = DialogApp()
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.screen.focused.id == "confirm-cancel"  # Enter on the default loses nothing
        await pilot.press(*keys)
        await pilot.pause()
        assert answers == [answer] and not isinstance(app.screen, ConfirmDialog)
