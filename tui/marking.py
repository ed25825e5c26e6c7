"""Rich Text helpers: mark the characters a model got wrong (underlined, so NO_COLOR shows them too)."""

from __future__ import annotations

from itertools import groupby

from rich.text import Text

WRONG = "bold underline red"
RIGHT = "green"


def marked(output: str, expected: str, right_style: str = RIGHT) -> Text:
    """`output` with every character that differs from `expected` (or runs past it) marked wrong."""
    text, start = Text(), 0
    right = (i < len(expected) and expected[i] == ch for i, ch in enumerate(output))
    for ok, run in groupby(right):  # one span per run: a span per character renders slowly
        end = start + sum(1 for _ in run)
        text.append(output[start:end], right_style if ok else WRONG)
        start = end
    return text


def count_wrong(output: str, expected: str) -> int:
    return sum(1 for i, ch in enumerate(output) if i >= len(expected) or expected[i] != ch) + max(
        0, len(expected) - len(output))


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
