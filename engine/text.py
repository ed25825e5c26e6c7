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


def _escape(ch: str) -> str:
    if ch in SYMBOLS:
        return SYMBOLS[ch]
    if ch == " " or ch.isprintable() or unicodedata.category(ch) == "Zs":
        return ch
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: object, limit: int | None = None, *, lines: bool = False) -> str:
    """`text` as one safe line: breaks as ⏎ ␍ ⇥, other non-printing characters escaped, cut to `limit`.

    A cut ends in '…' so the reader knows there was more. Non-strings are shown with str().
    With `lines=True`, "\\n" stays a real line break (multi-line output such as a completion).
    """
    text = text if isinstance(text, str) else str(text)
    if limit is not None and len(text) > limit:
        text = text[:limit]  # never escape more than will be shown (echoed values can be megabytes)
        cut = True
    else:
        cut = False
    if not text.isprintable():
        text = "\n".join("".join(map(_escape, line)) for line in text.split("\n")) if lines \
            else "".join(map(_escape, text))
    if limit is not None and (cut or len(text) > limit):
        text = text[: max(0, limit - 1)] + ELLIPSIS
    return text


def echo(value: object, limit: int = ECHO_LIMIT) -> str:
    """A value quoted inside an error line: visible, cut to a readable length, in quotes."""
    return f"'{visible(value, limit)}'"
