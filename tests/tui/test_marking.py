"""Wrong characters are marked in reverse video (visible with NO_COLOR too), model text is drawn safely and
aligned, and the evaluation loss is named after the data it was measured on."""

from __future__ import annotations

from rich.console import Console

from tui.marking import WRONG, count_wrong, marked


def test_marked_reverses_exactly_the_wrong_characters():
    text = marked("AXCD", "ABC")
    console = Console()
    styles = [str(text.get_style_at_offset(console, i)) for i in range(len(text))]
    wrong = [i for i, style in enumerate(styles) if style == WRONG]
    assert "reverse" in WRONG  # more than colour: NO_COLOR drops red and green, not reverse video
    assert wrong == [1, 3]  # a wrong character, and one past the expected text
    assert count_wrong("AXCD", "ABC") == 2 and count_wrong("AB", "ABC") == 1 and count_wrong("ABC", "ABC") == 0


HOSTILE = "\x1b]0;pwned\x07\x1b[2J\r\u202e"


def test_marked_draws_breaks_and_escapes_visibly_and_keeps_the_marks_on_the_right_characters():
    text = marked("ab\r\n\x1b]0;x\x07", "ab\r\nQ]0;x\x07")
    assert text.plain == "ab␍⏎\\x1b]0;x\\x07"
    console = Console()
    wrong = {text.plain[i] for i in range(len(text)) if str(text.get_style_at_offset(console, i)) == WRONG}
    assert wrong == set("\\x1b")  # only the escape that stands for the one wrong character


def test_aligned_keeps_each_output_character_under_its_target_character():
    from rich.cells import cell_len

    from tui.marking import aligned

    columns = aligned("\x1bb\tc", "xbyc", "中b")
    assert [cell_len(c[0]) for c in columns] == [4, 1, 1, 1]  # \x1b is 4 cells: the others are padded to it
    assert all(len({cell_len(part) for part in column}) == 1 for column in columns)
    assert "".join(c[0] for c in columns) == "\\x1bb⇥c"
    assert "".join(c[2] for c in columns).rstrip() == "中  b"  # the wide character takes 2 of the 4 cells


def test_rows_of_cut_positions_at_the_width_and_never_leave_an_empty_row():
    from tui.marking import rows_of

    assert rows_of([1, 1, 1, 1, 1], 2) == [range(0, 2), range(2, 4), range(4, 5)]
    assert rows_of([4, 1, 4], 3) == [range(0, 1), range(1, 2), range(2, 3)]  # too wide: one a row
    assert rows_of([], 10) == []


def test_one_line_escapes_control_characters_but_keeps_styles():
    from rich.text import Text

    from tui.marking import one_line

    line = Text()
    line.append("ok ", style="dim")
    line.append("\x1b[2J\nend", style="bold")
    safe = one_line(line)
    assert safe.plain == "ok \\x1b[2J⏎end"
    assert str(safe.get_style_at_offset(Console(), len(safe) - 1)) == "bold"
    assert str(safe.get_style_at_offset(Console(), 0)) == "dim"
    assert one_line(Text("plain")).plain == "plain"


def test_losses_are_called_held_out_only_when_the_data_was_not_trained_on():
    from engine.events import Evaluated, Sample
    from tui.marking import eval_loss_name
    from tui.run_state import RunState
    from tui.widgets.samples_pane import samples_text

    for task in ("caesar", "echo", "vigenere"):  # fresh messages and streams each evaluation
        assert eval_loss_name({"task": task}) == "held-out loss"
    assert eval_loss_name({"task": "completion", "corpus": "shakespeare"}) == "held-out loss"
    for config in ({"task": "completion", "corpus": None}, {"task": "mapping"}):  # the lessons' own data
        assert eval_loss_name(config) == "eval loss (training data)"
    state = RunState()
    state.apply(Evaluated("r", 15, 0.5, 0.8, None, (Sample("hello", "ohlol", "ohlxl"),)))
    state.config = {"task": "mapping"}
    lines = samples_text(state, 60).plain.splitlines()
    assert lines[0].startswith("step 15  eval loss (training data) 0.5000  accuracy 80.0%")
    assert [line.split()[:2] for line in lines[3:7]] == [["input", "hello"], ["target", "ohlol"],
                                                          ["model", "output"], ["1", "wrong"]]
    assert lines[5].endswith("ohlxl") and lines[6].index("^") == lines[5].index("x")
