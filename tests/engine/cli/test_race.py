"""`rnnplay race` (engine/cli/race.py): its output for people and as JSON, and every malformed `--cells`
or `--seeds` list is one error line, before any training.

A new user's review found `--seeds 0,,1` raced seeds 0 and 1 and `--cells lstm,,gru` raced two cells:
an empty item (a typo, a missing value) was dropped silently. `int()` also took `1_0` as 10 and
other scripts' digits as seeds.
"""

from __future__ import annotations

import json
import signal
import subprocess

import pytest
from cli_helpers import one_error_line, rnnplay, start

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


# `rnnplay race` for people: a line per contestant as it starts (the first evaluation can be a
# minute away), and a race stopped with Ctrl+C says "stopped" in its table, not "never".
UNEVALUATED_RACE = ["race", "--task", "echo", "--delay", "2", "--length", "12", "--hidden", "16", "--embedding", "4",
             "--batch-size", "8", "--eval-every", "100000", "--log-every", "10", "--device", "cpu"]


def test_contestants_say_they_started_and_a_stopped_race_says_stopped_not_never():
    proc = start(*UNEVALUATED_RACE, "--steps", "100000000", "--cells", "rnn,gru", stdout=subprocess.PIPE,
                 stderr=subprocess.PIPE, text=True)
    first = [proc.stdout.readline(), proc.stdout.readline()]  # before any evaluation
    assert first[0].startswith("rnn seed 0     started: ") and "parameters on cpu" in first[0]
    assert first[1].startswith("gru seed 0     started: ")
    proc.send_signal(signal.SIGINT)
    rest, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    table = rest.splitlines()[-3:]
    assert table[0].split()[:4] == ["contestant", "steps", "to", "99%"]
    assert [row.split()[:4] for row in table[1:]] == [["rnn", "seed", "0", "stopped"], ["gru", "seed", "0", "stopped"]]


TINY_ECHO = ["--task", "echo", "--delay", "2", "--length", "12", "--hidden", "16", "--embedding", "4",
             "--batch-size", "8", "--eval-every", "10", "--log-every", "10", "--device", "cpu"]


def test_race_json_names_every_contestant_and_ends_with_results():
    run = rnnplay("race", *TINY_ECHO, "--steps", "20", "--cells", "rnn,gru", "--seeds", "0,1", "--json")
    assert run.returncode == 0, run.stderr
    events = [json.loads(line) for line in run.stdout.splitlines()]
    assert all(e["contestant"] in {"rnn seed 0", "gru seed 0", "rnn seed 1", "gru seed 1"} for e in events[:-1])
    last = events[-1]
    assert last["event"] == "race" and [(r["cell"], r["seed"]) for r in last["results"]] == \
        [("rnn", 0), ("gru", 0), ("rnn", 1), ("gru", 1)]
    for r in last["results"]:
        assert set(r) >= {"accuracy", "loss", "steps_to_target", "ms_per_step", "parameters"}


def test_race_prints_a_table_for_people():
    run = rnnplay("race", *TINY_ECHO, "--steps", "20", "--cells", "rnn,lstm")
    assert run.returncode == 0, run.stderr
    table = run.stdout.splitlines()[-3:]
    assert table[0].split()[:3] == ["contestant", "steps", "to"]
    assert table[1].startswith("rnn seed 0") and table[2].startswith("lstm seed 0")


@pytest.mark.parametrize("argv, words", [
    (["race", "--task", "echo", "--cells", "rnn,lsmt"], "'lsmt' is not a cell"),
    (["race", "--task", "echo", "--cell", "rnn"], "--cells"),
    (["race", "--task", "echo", "--seeds", "0,x"], "'x' is not a seed"),
    (["race", "--task", "echo", "--target", "2"], "not an accuracy"),
])
def test_race_mistakes_are_one_line(capsys, argv, words):
    assert main(argv) == 2
    err = one_error_line(capsys.readouterr().err)
    assert words in err
