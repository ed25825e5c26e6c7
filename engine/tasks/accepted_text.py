"""Which characters a model is asked about (Play, `rnnplay predict`, `inspect`), and the reason line for
the ones it is not.

The engine reads what it does not know as a blank ('-' for the ciphers and echo, the corpus's
unknown symbol for completion) or refuses it (mapping). Play marks such characters instead, says
what is accepted, and asks the model nothing until the text is fixed: an answer to a question the
user did not ask looks like a wrong model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from engine.tasks.caesar import ALPHABET
from engine.tasks.echo import BLANK, alphabet
from engine.text import echo

SHOWN_BAD = 5  # distinct refused characters quoted in the reason line
LISTED_UP_TO = 40  # a training text with at most this many characters has them all listed


def accepted(config: Any, vocab: Any) -> tuple[Callable[[str], bool], str] | None:
    """(accepts a character?, what is accepted, in words), or None when anything is accepted."""
    task = config.task
    if task in ("caesar", "vigenere"):
        return (lambda ch: ch.upper() in ALPHABET or ch == " "), \
            "letters A-Z (lowercase reads as capitals), '-' or a space between words"
    if task == "echo":
        letters = alphabet(config.symbols)
        return (lambda ch: ch.upper() in letters or ch == BLANK), \
            f"the first {config.symbols} capital letters, {letters[0]}-{letters[-1]} (lowercase reads as " \
            f"capitals), or '{BLANK}' for a blank"
    if task == "mapping":
        symbols = sorted({ch for pair in config.pairs for s in pair for ch in s})
        return (lambda ch: ch in symbols), f"the pairs' characters: {' '.join(symbols)}"
    if task == "completion" and vocab is not None:
        known = set(vocab.symbols) - {vocab.unknown}
        return (lambda ch: ch in known), completion_words(known)
    return None


UNTYPEABLE = {"\n": "line breaks", "\r": "carriage returns", "\t": "tabs"}  # Enter asks, Tab moves focus


def completion_words(known: set[str]) -> str:
    """What Play accepts for a corpus: the characters one can type, and which of the rest cannot be typed."""
    typeable = sorted(ch for ch in known if ch.isprintable())
    listed = f": {echo(''.join(typeable))}" if len(typeable) <= LISTED_UP_TO else ""
    words = f"the {len(typeable)} characters of the training text that can be typed{listed}"
    others = sorted({UNTYPEABLE.get(ch, "control characters") for ch in known if not ch.isprintable()})
    if not others:
        return words
    named = others[0] if len(others) == 1 else f"{', '.join(others[:-1])} and {others[-1]}"
    return f"{words} ({named} cannot be typed here)"


def refused(text: str, config: Any, vocab: Any) -> str:
    """The reason line for `text`'s characters Play does not accept, or "" when all are accepted."""
    rule = accepted(config, vocab)
    if rule is None:
        return ""
    ok, words = rule
    bad = list(dict.fromkeys(ch for ch in text if not ok(ch)))
    if not bad:
        return ""
    quoted = ", ".join(echo(ch) for ch in bad[:SHOWN_BAD]) + (" …" if len(bad) > SHOWN_BAD else "")
    return f"{quoted} not accepted: type {words}"
