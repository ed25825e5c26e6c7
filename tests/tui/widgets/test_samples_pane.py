"""SamplesPane: the latest evaluation's samples, each output character under the one it should be."""

from __future__ import annotations


def test_samples_rows_line_up_by_cell_width_with_wide_characters():
    from types import SimpleNamespace

    from rich.cells import cell_len

    from tui.widgets.samples_pane import sample_text

    sample = SimpleNamespace(input="東京へ", target="東京へ行く😀ab", output="東x京行くab😀")
    lines = sample_text(sample, ("prefix", "held-out text", "model output"), 60).plain.splitlines()
    target, output, marks = lines[1], lines[2], lines[3]

    def starts(line: str, text: str) -> list[int]:  # the cell where each character of `text` starts
        at, cells = line.index(text[0]), []
        for ch in text:
            at = line.index(ch, at)
            cells.append(cell_len(line[:at]))
            at += 1
        return cells

    output_cells = starts(output, "東x京行くab😀")
    assert starts(target, "東京へ行く😀ab") == output_cells  # each output character under its expected one
    wrong_cells = [cell_len(marks[:i]) for i, ch in enumerate(marks) if ch == "^"]
    assert wrong_cells == [output_cells[i] for i in (1, 2, 5, 6, 7)], (output, marks)  # ^ under each wrong one
