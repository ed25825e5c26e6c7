"""inside_render: the Inside view's rows drawn from an Inside, whatever characters it holds."""

from __future__ import annotations

import torch

from engine import presets
from engine.training import Trainer
from tui import inside_render


def test_every_row_keeps_the_same_cells_per_position_whatever_the_characters():
    from rich.cells import cell_len

    from engine.inside import Inside

    text = "good \x1b[2J\x07\u202e\r\n中 day"  # as pasted, or a sample from a corpus
    top = [[{"symbol": "\x1b", "p": 0.5}, {"symbol": "\u202e", "p": 0.25}] for _ in text]
    connectivity = [[1 / (t + 1)] * (t + 1) + [0.0] * (len(text) - t - 1) for t in range(len(text))]
    hidden = [[[0.5, -1.0] for _ in text]]
    inside = Inside(text, {"hidden": hidden}, top, text, [0.1] * len(text), connectivity)
    for at in (0, 7, len(text) - 1):
        cols = inside_render.window(len(text), at, 10, inside_render.widths(inside))
        drawn = inside_render.header(inside, at, cols).plain + "\n" + inside_render.state_map(
            inside, "h1", "active", at, cols).plain
        assert drawn.isprintable() or all(line.isprintable() for line in drawn.splitlines())
        rows = [line for line in drawn.splitlines() if not line.startswith("at ")]
        assert {cell_len(line.rstrip()) <= inside_render.LABEL + 10 for line in rows} == {True}
        assert at in cols and len(cols) >= 9  # 中 takes two of the 10 cells


def test_wide_characters_are_shown_and_every_row_lines_up_under_them():
    from rich.cells import cell_len

    from engine.inside import Inside

    text, answer = "東京 ab😀c", "東x ab😀d"
    top = [[{"symbol": ch, "p": 0.9}] for ch in answer]
    connectivity = [[1 / (t + 1)] * (t + 1) + [0.0] * (len(text) - t - 1) for t in range(len(text))]
    inside = Inside(text, {"hidden": [[[0.5, -1.0] for _ in text]]}, top, text, [0.9] * len(text), connectivity)
    at = text.index("😀")
    cols = inside_render.window(len(text), at, 60, inside_render.widths(inside))
    lines = inside_render.header(inside, at, cols).plain.splitlines()
    by_label = {line[: inside_render.LABEL].strip(): line[inside_render.LABEL:] for line in lines}

    assert by_label["input"].rstrip() == "東京 ab😀c" and by_label["model"].startswith("東x")  # shown, not ·
    for label in ("model", "target"):
        row = by_label[label]
        assert [cell_len(row[: row.index(ch)]) for ch in "東ab😀"] == \
            [cell_len(by_label["input"][: by_label["input"].index(ch)]) for ch in "東ab😀"], label
    assert cell_len(by_label["confidence"]) == cell_len(by_label["input"].rstrip()) == 10  # a shade per cell
    assert cell_len(by_label["looks back"].rstrip()) <= 10
    marker = next(line for line in lines if line.strip() == "^")
    assert cell_len(marker.rstrip()) - 1 == cell_len(lines[0][: lines[0].index("😀")])  # ^ under 😀


def test_the_maps_key_gives_the_scale_of_an_unbounded_part():
    """An LSTM's cell state is drawn scaled to its largest size: the key says that size, not -1..+1."""
    torch.set_num_threads(1)
    inside = Trainer(presets.get("caesar").replace(device="cpu", precision="fp32")).inspect("ABC")
    assert inside_render.map_legend(inside, "h1") == inside_render.MAP_LEGEND == "map −1 ░▒▓█ +1"
    full = max(abs(v) for row in inside.states["cell"][0] for v in row)
    assert inside_render.map_legend(inside, "c1") == f"map −{full:.3g} ░▒▓█ +{full:.3g}"
