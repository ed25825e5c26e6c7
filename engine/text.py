"""Text from data on its way to a terminal: one line, no control characters, a readable length.

Everything that comes from a file, a checkpoint or typing (vocabulary symbols, mapping pairs,
corpus samples, predictions, config values, values echoed in errors) passes through `visible()`
before it is printed or drawn. Line breaks and tabs become symbols a reader recognises; every
other control, format or separator character (ESC, bidi overrides, a byte-order mark...) becomes
a visible escape such as `\\x1b`, so no data can move the cursor, set the window title or split
a line. JSON output needs none of this: JSON escaping already covers it.
"""

from __future__ import annotations

import unicodedata

SYMBOLS = {"\n": "⏎", "\r": "␍", "\t": "⇥"}
ELLIPSIS = "…"
ECHO_LIMIT = 80  # characters of a value echoed back in an error line
ERROR_LIMIT = 600  # characters of a whole error line: a backstop, echoed values are cut first
PATH_LIMIT = 160  # characters of a path echoed back (both ends kept: the folder and the file name)


def _escape(ch: str) -> str:
    if ch in SYMBOLS:
        return SYMBOLS[ch]
    if ch == " " or ch.isprintable() or unicodedata.category(ch) == "Zs":
        return ch
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _escaped(text: str, lines: bool) -> str:
    if text.isprintable():
        return text
    if lines:
        return "\n".join("".join(map(_escape, line)) for line in text.split("\n"))
    return "".join(map(_escape, text))


def visible(text: object, limit: int | None = None, *, lines: bool = False, middle: bool = False) -> str:
    """`text` as one safe line: breaks as ⏎ ␍ ⇥, other non-printing characters escaped, cut to `limit`.

    A cut ends in '…' so the reader knows there was more; with `middle=True` the '…' replaces the
    middle instead (`abc…xyz`), keeping both ends. Non-strings are shown with str().
    With `lines=True`, "\\n" stays a real line break (multi-line output such as a completion).
    """
    text = text if isinstance(text, str) else str(text)
    if limit is None:
        return _escaped(text, lines)
    if middle:
        return _cut_middle(text, limit, lines)
    cut = len(text) > limit
    text = _escaped(text[:limit], lines)  # never escape more than will be shown (echoed values can be megabytes)
    if cut or len(text) > limit:
        text = text[: max(0, limit - 1)] + ELLIPSIS
    return text


def _cut_middle(text: str, limit: int, lines: bool) -> str:
    whole = _escaped(text, lines) if len(text) <= limit else None
    if whole is not None and len(whole) <= limit:
        return whole
    if limit < 3:
        return ELLIPSIS[:limit]
    head, tail = (limit - 1) // 2 + (limit - 1) % 2, (limit - 1) // 2
    return _escaped(text[:head], lines)[:head] + ELLIPSIS + _escaped(text[-tail:], lines)[-tail:]


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """A value quoted inside an error line: visible, cut in the middle to a readable length, in quotes."""
    return f"'{visible(value, limit, middle=True)}'"


def error_line(text: object, limit: int = ERROR_LIMIT) -> str:
    """A whole message for stderr or a notice: one safe line, bounded, cut in the middle if it must be.

    Every value an error echoes is already cut by echo(), so the reason (at the end) normally survives
    whole; this bound is the backstop for messages from elsewhere (argparse, the OS).
    """
    return visible(text, limit, middle=True)


def cells(text: str) -> int:
    """Terminal cells `text` takes: 2 for wide characters (CJK, most emoji), 0 for combining marks."""
    return sum(0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
               for ch in text)


def columns(*rows: list[str]) -> list[str]:
    """Rows of per-position strings joined so that position i starts in the same column in every row
    (a wide character or an escape such as `\\x1b` in one row pads the others)."""
    widths = [max(cells(row[i]) for row in rows if i < len(row)) for i in range(max(map(len, rows)))]
    return ["".join(s + " " * (widths[i] - cells(s)) for i, s in enumerate(row)) for row in rows]
