"""Setup's preset dropdown drawn without colour (NO_COLOR): a snapshot, and the characters that replace colour."""

from __future__ import annotations

from tui_helpers import DEVICES, wait_for

from tui.app import make_app


async def open_the_preset_dropdown(pilot) -> None:
    await pilot.press("enter")  # the preset field has focus when the app opens
    overlay = pilot.app.query_one("#field-preset SelectOverlay")
    await wait_for(pilot, lambda: overlay.has_focus, timeout=60)
    highlighted = overlay.highlighted
    await pilot.press("down")
    await wait_for(pilot, lambda: overlay.highlighted != highlighted, timeout=60)  # the cursor moved
    await pilot.pause()  # and is drawn there


def test_the_preset_dropdown_without_colour_80x24(snap_compare, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app("caesar", devices=DEVICES)
    assert app.no_color
    assert snap_compare(app, terminal_size=(80, 24), run_before=open_the_preset_dropdown)


async def test_the_dropdown_is_drawn_by_characters_without_colour(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app("caesar", devices=DEVICES)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_the_preset_dropdown(pilot)
        overlay = app.query_one("#field-preset SelectOverlay")
        assert overlay.display and overlay.region.height > 2
        assert {kind for kind, _ in overlay.styles.border} == {"round"}  # line characters, not colour
        highlighted = overlay.get_component_rich_style("option-list--option-highlighted")
        assert highlighted.underline and highlighted.bold  # the option under the cursor, without colour
