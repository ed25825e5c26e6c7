"""The loss plot's data and legend: finite points, at most the width, whole-step ticks, a legend that names
every curve and fits its line."""

from __future__ import annotations

import math

import pytest

from tui.widgets.loss_plot import downsample, finite


@pytest.mark.parametrize("width", [40, 60, 76, 118])
def test_the_legend_always_fits_its_line(width):
    from tui.widgets.loss_plot import legend

    line = legend([(1500, 0.0002)], [(1500, 0.0001)], [(1500, 1.0)], width, "eval loss (training data)")
    assert 0 < len(line) <= width and line.startswith("⠒ ")
    assert "0.0002" in line and "0.0001" in line and "100.0%" in line  # names shortened, never a value
    assert ("training loss" in line) == (width >= 118)


@pytest.mark.parametrize("width", [50, 66, 78])
def test_a_narrow_legend_shortens_names_and_keeps_every_value(width):
    from tui.widgets.loss_plot import legend

    line = legend([(1500, 0.0123)], [(1500, 0.0456)], [(1500, 0.781)], width, "held-out loss")
    assert len(line) <= width and "…" not in line
    assert "0.0123" in line and "0.0456" in line and "78.1%" in line, line


def test_plot_points_are_finite_and_at_most_the_width():
    points = [(i, 1.0 / (i + 1)) for i in range(1000)] + [(1000, math.inf), (1001, math.nan)]
    clean = finite(points)
    assert len(clean) == 1000
    small = downsample(clean, 50)
    assert len(small) == 50 and small[-1] == clean[-1] and small[0][0] < small[-1][0]


def test_plot_ticks_are_whole_steps_and_the_legend_names_both_losses():
    from tui.widgets.loss_plot import legend, whole_ticks

    for low, high in [(10, 150), (1, 15), (50, 107), (0, 3), (10, 1_000_000), (5, 5)]:
        ticks = whole_ticks(low, high, 5)
        assert ticks and all(isinstance(t, int) and low <= t <= high for t in ticks), (low, high, ticks)
        assert len(ticks) <= 11
    line = legend([(10, 2.5)], [(50, 2.25)], [(50, 0.8)], width=200)
    assert "training loss 2.5000" in line and "held-out loss 2.2500" in line and "accuracy 80.0%" in line
    assert len(legend([(10, 2.5)], [(50, 2.25)], [(50, 0.8)], width=70)) <= 70
