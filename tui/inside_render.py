"""Drawing one model's Inside (engine.inside.Inside) as Rich Text: pure functions, no widgets.

Every position of the text takes the same cells in every row (one, or two where a row has a wide
character there: CJK, emoji), so the characters, the model's answer, its confidence, the
connectivity strip and the hidden-state map line up. Values are drawn
as shade characters (░▒▓█ by size; a unit's activation from -1 blank through 0 ▒ to +1 █), so all
of it reads without colour; colour repeats the sign of a unit (red +, blue -). Every character from
data goes through engine.text.visible.
"""

from __future__ import annotations

import math
from itertools import groupby

from rich.cells import cell_len
from rich.text import Text

from engine.text import visible
from tui.marking import marked

SHADES = " ░▒▓█"  # nothing ... the most
POSITIVE, NEGATIVE = "#ff7070", "#70a0ff"
MAP_LEGEND = "map −1 ░▒▓█ +1"
LABEL = 12  # the width of the row labels: the map starts in the same column on every row
ORDERS = {"varying": "most varying", "active": "most active"}


def glyph(ch: str) -> str:
    """One or two cells for one character: itself (a wide one too), a break symbol, or · where its
    safe form is longer (an escape such as \\x1b)."""
    shown = visible(ch)
    return shown if len(shown) == 1 and cell_len(shown) in (1, 2) else "·"


def widths(inside) -> list[int]:
    """The cells of each position: 2 where the text, the model's answer or the target has a wide character."""
    target = inside.target or ""
    return [max(cell_len(glyph(inside.text[t])), cell_len(glyph(inside.top[t][0]["symbol"])),
                cell_len(glyph(target[t])) if t < len(target) else 1) for t in range(len(inside.text))]


def shade(value: float) -> str:
    """0 -> ' ', 1/4 -> '░' ... 1 -> '█' (values are shares or sizes scaled to 0..1)."""
    if not math.isfinite(value) or value <= 0:
        return SHADES[0]
    return SHADES[min(4, round(value * 4))]  # under 1/8 stays blank: the eye finds what stands out


def states_of(inside, choice: str) -> tuple[list, float]:
    """The (position, unit) matrix that `choice` names (a part's key and a layer: "h1", "c2"...) and the size
    drawn as full. A choice this model lacks (another cell's part, a deeper layer) falls back to its hidden
    state and its last layer: contestants side by side share one choice."""
    key = choice.rstrip("0123456789")
    layer = int(choice[len(key):]) - 1
    part = next((p for p in inside.parts if p.key == key), inside.parts[0])
    states = inside.states[part.name]
    matrix = states[min(layer, len(states) - 1)]
    if not part.bounded:  # an LSTM's cell state is unbounded: scale to its largest
        return matrix, max((abs(v) for row in matrix for v in row), default=1.0) or 1.0
    return matrix, 1.0  # tanh, sigmoid blends of tanh: hidden states lie in -1..1


def map_legend(inside, choice: str) -> str:
    """The map's key for `choice`: -1..+1 for a bounded part, else the largest size it is scaled to."""
    full = states_of(inside, choice)[1] if inside is not None else 1.0
    return MAP_LEGEND if full == 1.0 else f"map −{full:.3g} ░▒▓█ +{full:.3g}"


def state_choices(inside) -> list[tuple[str, str]]:
    """(label, choice) for every layer of every part of the state the model's cell carries."""
    return [(f"layer {i + 1} {part.name}", f"{part.key}{i + 1}")
            for part in inside.parts for i in range(len(inside.states[part.name]))]


def ranked_units(matrix: list, order: str) -> list[int]:
    """Unit indices, most active (mean size) or most varying (spread over positions) first."""
    units = range(len(matrix[0])) if matrix else range(0)
    length = len(matrix)

    def score(u: int) -> float:
        values = [row[u] for row in matrix]
        mean = sum(values) / length
        if order == "active":
            return sum(abs(v) for v in values) / length
        return math.sqrt(sum((v - mean) ** 2 for v in values) / length)

    return sorted(units, key=lambda u: (-score(u), u))


def window(length: int, at: int, width: int, sizes: list[int] | None = None) -> range:
    """The positions drawn in `width` cells: all of them, or a stretch that keeps `at` in view
    (`sizes`: the cells of each position, one each if not given)."""
    width = max(1, width)
    sizes = sizes or [1] * length
    if sum(sizes) <= width:
        return range(length)
    first, last, used = at, at + 1, sizes[at]
    while True:  # grow around `at`, one position each side in turn, while it fits
        grown = False
        for side in (first - 1, last) if at - first <= last - at - 1 else (last, first - 1):
            if 0 <= side < length and used + sizes[side] <= width:
                used += sizes[side]
                first, last = min(first, side), max(last, side + 1)
                grown = True
        if not grown:
            return range(first, last)


def row_of(chars: list[str], cols: range, sizes: list[int]) -> list[str]:
    """Each position's character padded to its position's cells."""
    return [ch + " " * (sizes[t] - cell_len(ch)) for t, ch in zip(cols, chars, strict=True)]


def marked_row(best: list[str], target: list[str]) -> Text:
    """The model's cells marked against the target's; cell by cell where one is padded (never wrong)."""
    if all(len(cell) == 1 for cell in best + target):
        return marked("".join(best), "".join(target))
    out = Text()
    for shown, expected in zip(best, target, strict=True):
        out.append_text(marked(shown.rstrip() or shown, expected.rstrip() or expected))
        out.append(" " * (len(shown) - len(shown.rstrip() or shown)))
    return out


def header(inside, at: int, cols: range) -> Text:
    """The text, the model's answer (wrong characters marked), the target, confidence and the strip at `at`."""
    sizes = widths(inside)
    chars = "".join(row_of([glyph(inside.text[t]) for t in cols], cols, sizes))
    best = row_of([glyph(inside.top[t][0]["symbol"]) for t in cols], cols, sizes)
    out = Text()
    out.append("input".ljust(LABEL), style="dim").append(chars + "\n")
    out.append("model".ljust(LABEL), style="dim")
    if inside.target is not None:
        target = row_of([glyph(inside.target[t]) if t < len(inside.target) else " " for t in cols], cols, sizes)
        out.append_text(marked_row(best, target)).append("\n")
        out.append("target".ljust(LABEL), style="dim").append("".join(target) + "\n")
    else:
        out.append("".join(best) + "\n", style="green")
    sure = "".join(SHADES[min(4, 1 + int(inside.top[t][0]["p"] * 4))] * sizes[t] for t in cols)  # never blank
    out.append("confidence".ljust(LABEL), style="dim").append(sure + "\n")
    out.append_text(strip(inside, at, cols))
    out.append(" " * (LABEL + sum(sizes[t] for t in range(cols.start, at))) + "^\n", style="bold")
    out.append_text(alternatives(inside, at))
    return out


def strip(inside, at: int, cols: range) -> Text:
    """Row `at` of the connectivity, scaled to its largest share (later positions stay blank)."""
    row = inside.connectivity[at][: at + 1]
    top = max(row) if row else 0.0
    sizes = widths(inside)
    cells = "".join((shade(row[t] / top) if t <= at and top > 0 else " ") * sizes[t] for t in cols)
    return Text("looks back".ljust(LABEL), style="dim").append(cells + "\n")


def alternatives(inside, at: int) -> Text:
    """Where output `at` looks most, its top candidates with their probabilities, and the target's."""
    row = inside.connectivity[at][: at + 1]
    source = max(range(len(row)), key=row.__getitem__)
    choices = ", ".join(f"{visible(c['symbol'])} {c['p']:.1%}" for c in inside.top[at])
    out = Text(f"at {at}".ljust(LABEL), style="dim").append(f"{visible(inside.text[at])} → {choices}")
    if inside.target_p is not None and inside.target_p[at] is not None:
        out.append(f"; target {visible(inside.target[at])} {inside.target_p[at]:.1%}")
    where = "itself" if source == at else f"{at - source} back"
    return out.append(f"; {row[source]:.0%} from {where}", style="dim")


def state_map(inside, choice: str, order: str, at: int, cols: range) -> Text:
    """Characters across, units down (ranked by `order`), each cell shaded by the unit's activation from
    -1 (blank) through 0 (▒) to +1 (█), so that the sign reads without colour too."""
    matrix, full = states_of(inside, choice)
    out = Text()
    out.append("unit".ljust(LABEL), style="dim")
    sizes = widths(inside)
    out.append("".join(row_of([glyph(inside.text[t]) for t in cols], cols, sizes)))
    for unit in ranked_units(matrix, order):
        out.append(f"\n{unit:>{LABEL - 2}}  ", style="dim")
        cells = [(shade((matrix[t][unit] / full + 1) / 2) * sizes[t], _unit_style(matrix[t][unit], t == at))
                 for t in cols]
        for style, run in groupby(cells, key=lambda cell: cell[1]):  # one span per run: drawing stays cheap
            out.append("".join(ch for ch, _ in run), style=style)
    return out


def _unit_style(value: float, at_cursor: bool) -> str:
    colour = POSITIVE if value >= 0 else NEGATIVE
    return f"{colour} reverse" if at_cursor else colour
