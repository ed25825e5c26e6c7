"""engine.text.visible: nothing from data reaches a terminal as a control character."""

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from engine.text import echo, visible


def test_line_breaks_and_tabs_become_symbols():
    assert visible("to be\r\nor not\tto be") == "to be␍⏎or not⇥to be"


def test_escape_sequences_are_shown_not_sent():
    title = "\x1b]0;pwned\x07\x1b[2J"
    assert visible(title) == "\\x1b]0;pwned\\x07\\x1b[2J"


def test_format_characters_are_escaped():
    assert visible("\ufeffabc\u202edef") == "\\ufeffabc\\u202edef"
    assert visible("\x9b31m") == "\\x9b31m"  # a C1 CSI introducer


def test_printable_text_is_unchanged():
    text = "ROMEO: O, she doth teach the torches — ünïcödé 中文 \u00a0 ok"
    assert visible(text) == text


def test_limit_cuts_with_an_ellipsis_before_escaping_everything():
    assert visible("abcdef", limit=4) == "abc…"
    assert visible("abc", limit=4) == "abc"
    huge = "\x1b" * 50_000_000
    assert len(visible(huge, limit=80)) == 80


def test_echo_quotes_and_cuts():
    assert echo("lstm\n") == "'lstm⏎'"
    assert len(echo("x" * 100_000)) == 82


@given(st.text())
def test_no_control_character_survives(text):
    out = visible(text)
    assert all(ch.isprintable() or unicodedata.category(ch) == "Zs" for ch in out)
    assert not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in out)
    assert "\n" not in out and "\r" not in out


def test_lines_mode_keeps_line_feeds_only():
    assert visible("ROMEO:\nO\x1b[2J\r\n", lines=True) == "ROMEO:\nO\\x1b[2J␍\n"


def test_a_middle_cut_keeps_both_ends_and_stays_bounded():
    assert visible("abcdefghij", 5, middle=True) == "ab…ij"
    assert visible("abcdef", 6, middle=True) == "abcdef"
    path = "/home/" + "d" * 3000 + "/model.safetensors"
    shown = echo(path)
    assert len(shown) == 82 and shown.startswith("'/home/d") and shown.endswith("/model.safetensors'")
    hostile = "\x1b]0;pwned\x07" * 1_000_000
    cut = visible(hostile, 40, middle=True)
    assert len(cut) == 40 and "\x1b" not in cut and "\x07" not in cut and "…" in cut


def test_an_error_line_is_bounded_and_keeps_its_reason_at_the_end():
    from engine.text import ERROR_LIMIT, error_line

    line = error_line("--save: cannot write '" + "x" * 5000 + "': the folder does not exist")
    assert len(line) == ERROR_LIMIT and line.endswith("the folder does not exist")


def test_columns_keep_positions_aligned_across_wide_characters_and_escapes():
    from engine.text import cells, columns

    text, model, marks = ["東", "a", "\\x1b", "🙂"], ["x", "京", "y", "z"], [" ", " ", " ", "^"]
    rows = columns(text, model, marks)
    assert [cells(row) for row in rows] == [2 + 2 + 4 + 2] * 3  # every row as wide as the widest cells
    assert rows[2].index("^") == 2 + 2 + 4  # the mark sits in the column where the emoji starts
    assert rows[0].startswith("東a ") and rows[1].startswith("x 京")
    assert cells("e\u0301") == 1 and cells("東京") == 4


def test_inspect_never_draws_an_unsure_character_as_blank_and_shows_a_predicted_space():
    """A completion model at 1-8 % looked like missing data (all blanks), and a predicted space like nothing."""
    from types import SimpleNamespace

    from engine.cli.inspect import describe

    inside = SimpleNamespace(text="ab", target=None, connectivity=[[1.0, 0.0], [0.5, 0.5]], gradient=None,
                             top=[[{"symbol": " ", "p": 0.05}], [{"symbol": "b", "p": 0.9}]])
    lines = describe(inside, 0)
    assert lines[2].startswith("confidence  ░█")
    assert lines[-1] == "at 0: a -> ␠ 5.0%"
