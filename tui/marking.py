"""Rich Text helpers: show model text safely and mark the characters a model got wrong.

Every character passes through engine.text.visible (a line break shows as ⏎, ESC as \\x1b), so
text from a corpus or a checkpoint can never move the cursor or split a line. Wrong characters are
reversed as well as red: with NO_COLOR they stay a visible block (and the Samples view adds a ^ row).
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

from rich.cells import cell_len
from rich.text import Text

from engine.config import TrainConfig
from engine.tasks import task_class
from engine.text import visible

# Explicit colours, reversed: named ANSI red turns black under NO_COLOR's monochrome filter, while this
# stays a light block with dark text; without any colour (ANSI themes) reverse video still shows.
WRONG = "bold reverse #ff8a8a on #1a1a1a"
RIGHT = "green"
MISSING = "·"  # where the output stopped short of the expected text
MARKER = "^"


def cell(ch: str) -> str:
    """One character as it is drawn: itself, a break symbol, or a visible escape."""
    return ch if ch.isprintable() else visible(ch)


def shown(text: str) -> str:
    """`text` as drawn on one line (the same as visible(), one character at a time)."""
    return text if text.isprintable() else "".join(map(cell, text))


def one_line(text: Text) -> Text:
    """A styled Text made safe to draw on one line, keeping its styles: the last guard of a line widget."""
    if text.plain.isprintable():
        return text
    cuts = sorted({span.start for span in text.spans} | {span.end for span in text.spans})
    out = Text(style=text.style, end="")
    for piece in text.divide(cuts):  # each piece has one set of styles
        part = Text(shown(piece.plain), style=piece.style)
        for span in piece.spans:
            part.stylize(span.style)
        out.append_text(part)
    return out


def wrong_flags(output: str, expected: str) -> list[bool]:
    """For each character of `output`: does it differ from `expected` (or run past it)?"""
    return [i >= len(expected) or expected[i] != ch for i, ch in enumerate(output)]


def marked(output: str, expected: str, right_style: str = RIGHT) -> Text:
    """`output`, drawn safely, with every character that differs from `expected` marked wrong."""
    text, start = Text(), 0
    for wrong, run in groupby(wrong_flags(output, expected)):  # one span per run: a span per character is slow
        end = start + sum(1 for _ in run)
        text.append(shown(output[start:end]), WRONG if wrong else right_style)
        start = end
    return text


def count_wrong(output: str, expected: str) -> int:
    return sum(wrong_flags(output, expected)) + max(0, len(expected) - len(output))


def aligned(*strings: str) -> list[tuple[str, ...]]:
    """Position by position, each string's character drawn safely and padded to a common width.

    An escape (\\x1b) is wider than the character it stands for; padding keeps the characters of
    an input, its target and the model's output one above the other."""
    rows = []
    for i in range(max(map(len, strings), default=0)):
        cells = [cell(s[i]) if i < len(s) else "" for s in strings]
        width = max(map(cell_len, cells))
        rows.append(tuple(c + " " * (width - cell_len(c)) for c in cells))
    return rows


def rows_of(widths: list[int], width: int) -> list[range]:
    """Consecutive positions grouped into rows at most `width` cells wide (at least one a row)."""
    rows, start, used = [], 0, 0
    for i, size in enumerate(widths):
        if i > start and used + size > width:
            rows.append(range(start, i))
            start, used = i, 0
        used += size
    if start < len(widths):
        rows.append(range(start, len(widths)))
    return rows


def task_of(config: dict) -> tuple[Any, TrainConfig] | None:
    """(the task class, the TrainConfig) of a run's config dict, or None before a run (its config is still
    empty). A task the registry lacks is a ConfigError naming it, never another task's views."""
    if not config:
        return None
    settings = TrainConfig.from_dict(config)
    return task_class(settings.task), settings


def held_out(config: dict) -> bool:
    """Whether evaluations use data the model never trained on (the task says: fresh messages and streams, a
    corpus's tail), rather than the training data itself (the lessons' sentences and mapping pairs)."""
    found = task_of(config)
    return found is not None and found[0].held_out(found[1])


def generates(config: dict) -> bool:
    """Whether the run's model answers by generating text after a prefix (not one symbol per input symbol)."""
    found = task_of(config)
    return found is not None and found[0].generated_length(found[1]) is not None


def eval_loss_name(config: dict) -> str:
    return "held-out loss" if held_out(config) else "eval loss (training data)"


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}%"


def clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def rate(chars_per_s: float | None) -> str:
    if chars_per_s is None:
        return "-"
    if chars_per_s >= 1e6:
        return f"{chars_per_s / 1e6:.2f}M"
    return f"{chars_per_s / 1e3:.1f}k" if chars_per_s >= 1e3 else f"{chars_per_s:.0f}"
