"""Messages from the widgets to the app carry what the app needs, with defaults that say "nothing wrong"."""

from __future__ import annotations

from tui.messages import ConfigChanged, DevicesFound, PresetPicked


def test_messages_carry_their_values():
    assert ConfigChanged(None).errors == {} and ConfigChanged(None, {"hidden": "bad"}).errors == {"hidden": "bad"}
    assert DevicesFound([("cpu", "CPU")]).devices == [("cpu", "CPU")]
    assert PresetPicked("caesar").name == "caesar"
