"""RacePlot's legend: one marker per contestant, whole entries packed into lines that fit the width."""

from __future__ import annotations

from tui.runs import Contestant, Race, Run
from tui.widgets.race_plot import MARKERS, legend, marker


def race_of(count: int) -> Race:
    return Race([Contestant(Run(f"c{i}"), "rnncell", 100 + i) for i in range(count)], 0.99)


def test_the_legend_packs_whole_entries_and_names_the_score():
    assert legend(None, 80).plain == "" and marker(len(MARKERS)) == marker(0)
    lines = legend(race_of(8), 60).plain.splitlines()
    assert lines[0].startswith("accuracy by step:") and all(len(line) <= 60 for line in lines)
    entries = [f"{marker(i)} rnncell seed {100 + i}" for i in range(8)]
    assert all(sum(entry in line for line in lines) == 1 for entry in entries)  # never broken over lines
