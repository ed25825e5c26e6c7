"""Wrong characters are marked with underline (visible with NO_COLOR too), and plot data is cleaned."""

from __future__ import annotations

import math

from rich.console import Console

from tui.marking import WRONG, count_wrong, marked
from tui.widgets.loss_plot import downsample, finite


def test_marked_underlines_exactly_the_wrong_characters():
    text = marked("AXCD", "ABC")
    console = Console()
    styles = [str(text.get_style_at_offset(console, i)) for i in range(len(text))]
    wrong = [i for i, style in enumerate(styles) if style == WRONG]
    assert "underline" in WRONG
    assert wrong == [1, 3]  # a wrong character, and one past the expected text
    assert count_wrong("AXCD", "ABC") == 2 and count_wrong("AB", "ABC") == 1 and count_wrong("ABC", "ABC") == 0


def test_plot_points_are_finite_and_at_most_the_width():
    points = [(i, 1.0 / (i + 1)) for i in range(1000)] + [(1000, math.inf), (1001, math.nan)]
    clean = finite(points)
    assert len(clean) == 1000
    small = downsample(clean, 50)
    assert len(small) == 50 and small[-1] == clean[-1] and small[0][0] < small[-1][0]
