"""Every error line keeps its reason and stays bounded, and no flag is silently dropped."""

from __future__ import annotations

import pytest

from engine.cli.main import main
from engine.text import ERROR_LIMIT
from tests.engine.cli_helpers import one_error_line, rnnplay

LONG = "/tmp/" + "/".join(["d" * 200] * 15) + "/m.safetensors"  # about 3,000 characters, not there


def one_line(capsys, argv) -> str:
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.startswith("rnnplay: error: ") and err.count("\n") == 1, err[-500:]
    assert len(err) <= ERROR_LIMIT + 1 and "Traceback" not in err
    return err


@pytest.mark.parametrize("argv, reason", [
    (["train", "--save", LONG], "does not exist; accepted: a regular file"),
    (["train", "--metrics", LONG], "does not exist; accepted: a regular file"),
    (["train", "--resume", LONG], "m.safetensors: file: no such file"),
    (["train", "--task", "completion", "--corpus", LONG], "no such file; give a UTF-8 text file"),
    (["predict", LONG, "hello"], "m.safetensors: file: no such file"),
    (["inspect", LONG, "hello"], "m.safetensors: file: no such file"),
    (["tui", "--load", LONG], "no such file or directory; give a .safetensors checkpoint"),
    (["train", "--preset", LONG], "see `rnnplay presets`"),
])
def test_a_3000_character_path_keeps_the_reason_in_a_bounded_line(capsys, argv, reason):
    err = one_line(capsys, argv)
    assert reason in err and "…" in err
    assert err.count("d") < 1000  # the path was cut, in the middle: both its ends are shown
    assert "/tmp/ddd" in err and "/m.safetensors" in err


@pytest.mark.parametrize("argv, flag", [
    (["train", "--resume", "a", "--resume", "b"], "--resume"),
    (["train", "--steps", "3", "--save", "a", "--steps", "4"], "--steps"),
    (["train", "--save", "a", "--save", "b"], "--save"),
    (["tui", "--load", "a", "--load", "b"], "--load"),
    (["predict", "c", "t", "--length", "3", "--length", "4"], "--length"),
    (["encrypt", "HI", "--key", "3", "--key", "4"], "--key"),
    (["race", "--cells", "rnn", "--cells", "gru"], "--cells"),
])
def test_a_single_value_flag_given_twice_is_refused_by_name(capsys, argv, flag):
    err = one_line(capsys, argv)
    assert f"argument {flag}: given more than once" in err


def test_flags_given_once_each_still_work(capsys):
    assert main(["encrypt", "HI", "--key", "3"]) == 0
    assert capsys.readouterr().out == "KL\n"
    assert main(["encrypt", "HI", "--cipher", "caesar", "--key", "1"]) == 0  # different flags never clash


@pytest.mark.parametrize("argv, words", [
    (["predict", "c.safetensors", ""], "argument TEXT: an empty text is not accepted"),
    (["predict", "", "hello"], "argument CKPT: an empty value is not accepted"),
    (["inspect", "", "hello"], "argument CKPT: an empty value is not accepted"),
])
def test_empty_positional_values_are_refused(capsys, argv, words):
    assert words in one_line(capsys, argv)


@pytest.mark.parametrize("command", ["predict", "inspect"])
def test_text_the_model_would_read_as_blanks_is_refused_as_in_play(tmp_path, command):
    """An echo model over 8 letters silently read 'XYZ?' as blanks and answered; Play marks the same text."""
    import engine

    trainer = engine.Trainer(engine.presets.get("echo").replace(steps=2, hidden=8, device="cpu"))
    list(trainer.run())
    ckpt = tmp_path / "e.safetensors"
    trainer.save(str(ckpt))
    done = rnnplay(command, str(ckpt), "ABXYZ?")
    assert done.returncode == 2 and done.stdout == ""
    assert one_error_line(done.stderr).startswith("rnnplay: error: TEXT: 'X', 'Y', 'Z', '?' not accepted: type the "
                                                  "first 8 capital letters")
    assert rnnplay(command, str(ckpt), "abh-").returncode == 0  # lowercase reads as capitals, '-' is a blank
