"""Snapshots of the whole app on each view: fixed sizes and canned events, so every screen is deterministic.

Update after an intended change with `pytest tests/tui --snapshot-update` and review the SVGs.
"""

from __future__ import annotations

from canned import feed
from tui_helpers import DEVICES

from tui.app import make_app


def test_idle_setup_screen(snap_compare):
    assert snap_compare(make_app("caesar", devices=DEVICES), terminal_size=(100, 34))


def test_idle_screen_80x24(snap_compare):
    assert snap_compare(make_app("hello-rnncell-lesson", devices=DEVICES), terminal_size=(80, 24))


def test_training_screen(snap_compare):
    assert snap_compare(make_app("caesar", devices=DEVICES), terminal_size=(100, 34), run_before=feed(False))


def test_training_screen_80x24(snap_compare):
    assert snap_compare(make_app("caesar", devices=DEVICES), terminal_size=(80, 24), run_before=feed(False))


def test_finished_screen(snap_compare):
    assert snap_compare(make_app("caesar", devices=DEVICES), terminal_size=(100, 34), run_before=feed(True))


def test_samples_screen(snap_compare):
    assert snap_compare(make_app("caesar", devices=DEVICES), terminal_size=(100, 34),
                        run_before=feed(False, "samples"))


def test_completion_on_a_hostile_corpus_80x24(snap_compare):
    assert snap_compare(make_app("completion", devices=DEVICES), terminal_size=(80, 24),
                        run_before=feed(False, completion=True))


def test_completion_samples_on_a_hostile_corpus_80x24(snap_compare):
    assert snap_compare(make_app("completion", devices=DEVICES), terminal_size=(80, 24),
                        run_before=feed(False, "samples", completion=True))
