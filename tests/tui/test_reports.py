"""Reports: what threads hand the Session are plain data, made and compared without Textual."""

from __future__ import annotations

from tui.reports import LoadFailed, Saved, TrainerCreated, TrainingFailed


def test_reports_are_plain_data_with_their_defaults():
    assert TrainerCreated("t").gate is None  # None: the selected run
    assert TrainingFailed("boom") == TrainingFailed("boom", None, None)
    assert Saved("t", 4, "x.safetensors").error == ""  # no error: it was written
    assert LoadFailed("x", "bad") == LoadFailed("x", "bad")
