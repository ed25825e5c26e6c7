"""`rnnplay race`, `rnnplay inspect` and the Vigenere cipher on the command line, as users run them."""

import json

import pytest
from cli_helpers import one_error_line, rnnplay

from engine.cli.main import main

TINY_ECHO = ["--task", "echo", "--delay", "2", "--length", "12", "--hidden", "16", "--embedding", "4",
             "--batch-size", "8", "--eval-every", "10", "--log-every", "10", "--device", "cpu"]


@pytest.mark.parametrize("argv, out", [
    (["encrypt", "attack at dawn", "--cipher", "vigenere", "--keyword", "lemon"], "LXEOPVDMGMOEHA"),
    (["decrypt", "LXEOPVDMGMOEHA", "--cipher", "vigenere", "--keyword", "LEMON"], "ATTACK-AT-DAWN"),
    (["encrypt", "this is a secret", "--cipher", "vigenere", "--keyword", "N"], "FUVEMVEMNMERPDRF"),
    (["encrypt", "this is a secret"], "FUVEMVEMNMERPDRF"),
])
def test_ciphers_are_exact(capsys, argv, out):
    assert main(argv) == 0
    assert capsys.readouterr().out == out + "\n"


@pytest.mark.parametrize("argv, words", [
    (["encrypt", "x", "--cipher", "vigenere"], "takes --keyword"),
    (["encrypt", "x", "--cipher", "vigenere", "--keyword", "L3\x1b[2J"], "letters A-Z"),
    (["encrypt", "x", "--keyword", "AB"], "--keyword is for --cipher vigenere"),
    (["race", "--task", "echo", "--cells", "rnn,lsmt"], "'lsmt' is not a cell"),
    (["race", "--task", "echo", "--cell", "rnn"], "--cells"),
    (["race", "--task", "echo", "--seeds", "0,x"], "'x' is not a seed"),
    (["race", "--task", "echo", "--target", "2"], "not an accuracy"),
])
def test_mistakes_are_one_line(capsys, argv, words):
    assert main(argv) == 2
    err = one_error_line(capsys.readouterr().err)
    assert words in err


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


def test_inspect_for_people_and_as_json(tmp_path):
    ckpt = tmp_path / "c.safetensors"
    trained = rnnplay("train", "--preset", "caesar", "--steps", "60", "--device", "cpu", "--save", str(ckpt))
    assert trained.returncode == 0, trained.stderr
    people = rnnplay("inspect", str(ckpt), "FUVEMVEMNMERPDRF", "--at", "3")
    assert people.returncode == 0, people.stderr
    assert "model       THIS-IS-A-SECRET" in people.stdout and "at 3: E -> S" in people.stdout
    data = json.loads(rnnplay("inspect", str(ckpt), "FUV", "--json").stdout)
    assert data["text"] == "FUV" and len(data["states"]["hidden"][0]) == 3 and data["states"]["cell"] is not None
    assert len(data["top"]) == 3 and data["top"][0][0]["symbol"] == "T"
    assert len(data["connectivity"]) == 3 and data["connectivity"][2][2] > 0
    bad = rnnplay("inspect", str(ckpt), "FUV", "--at", "7")
    assert bad.returncode == 2 and "--at" in one_error_line(bad.stderr)
