"""`rnnplay race --cells` and `--seeds`: every malformed list is one error line, before any training.

A new user's review found `--seeds 0,,1` raced seeds 0 and 1 and `--cells lstm,,gru` raced two cells:
an empty item (a typo, a missing value) was dropped silently. `int()` also took `1_0` as 10 and
other scripts' digits as seeds.
"""

from __future__ import annotations

import pytest
from cli_helpers import one_error_line, rnnplay

from engine.cli.main import main
from engine.cli.race import cell_list, seed_list

ECHO = ["race", "--task", "echo", "--steps", "1", "--device", "cpu"]


@pytest.mark.parametrize("flag, value, words", [
    ("--seeds", "0,,1", "'0,,1' has an empty item"),
    ("--seeds", "0,1,", "'0,1,' has an empty item"),
    ("--seeds", ",", "no seeds given"),
    ("--seeds", "", "no seeds given"),
    ("--seeds", " ", "no seeds given"),
    ("--seeds", "0,0", "seed '0' is given twice"),
    ("--seeds", "7,007", "seed '7' is given twice"),  # the same seed, written two ways
    ("--seeds", "-1", "'-1' is not a seed"),
    ("--seeds", "+1", "'+1' is not a seed"),
    ("--seeds", "1_0", "'1_0' is not a seed"),
    ("--seeds", "\u0661", "is not a seed"),  # ARABIC-INDIC DIGIT ONE: int() reads it as 1
    ("--seeds", "1.5", "'1.5' is not a seed"),
    ("--seeds", "9223372036854775808", "is too large; accepted: 0 to 9223372036854775807"),
    ("--seeds", "9" * 5000, "is too large"),  # int() itself refuses over 4,300 digits
    ("--seeds", ",".join(map(str, range(17))), "17 seeds"),
    ("--cells", "lstm,,gru", "'lstm,,gru' has an empty item"),
    ("--cells", "lstm,", "'lstm,' has an empty item"),
    ("--cells", ",", "no cells given"),
    ("--cells", "LSTM", "'LSTM' is not a cell (cells are lower case: lstm)"),
    ("--cells", "lstm,gru,lstm", "cell 'lstm' is given twice"),
    ("--cells", "rnn,lsmt", "'lsmt' is not a cell; accepted"),
], ids=lambda value: value[:20] if isinstance(value, str) else None)
def test_a_malformed_list_is_one_line_naming_the_problem_and_what_is_accepted(capsys, flag, value, words):
    assert main([*ECHO, flag, value]) == 2
    out, err = capsys.readouterr()
    err = one_error_line(err)
    assert out == "" and f"argument {flag}: " in err and words in err
    assert "accepted: " in err and len(err) < 300  # a 5,000-digit seed is cut, not echoed whole


def test_a_control_sequence_in_a_list_is_shown_escaped(capsys):
    assert main([*ECHO, "--cells", "lstm,\x1b[2Jgru"]) == 2
    err = one_error_line(capsys.readouterr().err)
    assert "\\x1b[2Jgru" in err


def test_seed_and_seeds_together_are_refused_rather_than_one_silently_winning(capsys):
    assert main([*ECHO, "--seed", "3", "--seeds", "1,2"]) == 2
    assert "--seed and --seeds: give one" in one_error_line(capsys.readouterr().err)


def test_until_is_refused_because_every_contestant_trains_its_whole_budget(capsys):
    assert main(["race", "--preset", "caesar", "--cells", "rnn", "--steps", "2", "--until", "0.5"]) == 2
    assert "--until: every contestant of a race trains its whole budget" in capsys.readouterr().err


def test_well_formed_lists_are_read_in_order_with_spaces_allowed():
    assert cell_list("gru, lstm ,rnncell") == ("gru", "lstm", "rnncell")
    assert seed_list(" 3,0 , 12") == (3, 0, 12)
    assert seed_list("9223372036854775807") == (2**63 - 1,)


def test_a_real_race_process_refuses_an_empty_seed_with_exit_status_2():
    run = rnnplay(*ECHO, "--seeds", "0,,1")
    assert run.returncode == 2 and run.stdout == ""
    assert "'0,,1' has an empty item" in one_error_line(run.stderr)


def test_a_setting_no_contestant_reads_is_refused_as_train_refuses_it(capsys):
    """`train --cell rnn --forget-bias 2` is refused; a race of rnn alone took it and ignored it."""
    assert main([*ECHO, "--cells", "rnn,gru", "--forget-bias", "2"]) == 2
    err = capsys.readouterr().err
    assert one_error_line(err) and "--forget-bias: no contestant reads it: only an LSTM has a forget gate" in err
    assert main([*ECHO, "--cells", "rnn,lstm", "--forget-bias", "2", "--length", "8", "--delay", "2"]) == 0
