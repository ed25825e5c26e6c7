"""`rnnplay train` and `rnnplay predict` never send a control character from data to a terminal:
corpus samples, config values, messages, vocabulary symbols and predictions are shown as visible
escapes (a completion keeps its line feeds); JSON output relies on JSON escaping."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from cli_helpers import read_terminal

from engine import presets
from engine.cli.console import Reporter
from engine.cli.main import main
from engine.events import Evaluated, RunFinished, RunStarted, Sample

ATTACK = "\x1b]0;pwned\x07\x1b[2J\r\u202e"
CORPUS = ("\ufeffFirst Citizen:\r\nBefore we proceed any further,\thear me speak.\n\nAll:\nSpeak, "
          + ATTACK + "speak.\n\nFirst Citizen:\nYou are all resolved rather to die than to famish?\n")


def printable_lines(out: str) -> bool:
    return all(line.isprintable() for line in out.split("\n"))


def test_plain_lines_escape_samples_config_values_and_messages(capsys):
    config = {**presets.get("completion").to_dict(), "corpus": "a" + ATTACK + ".txt", "cell": "lstm\n"}
    sample = Sample("pre" + ATTACK, "pre" + ATTACK + "fix\n", "pre\tfix" + ATTACK)
    reporter = Reporter()
    with reporter:
        reporter.show(RunStarted("r1", "cpu" + ATTACK, 10, config))
        reporter.show(Evaluated("r1", 1, 2.0, None, 2.9, (sample,)))
        reporter.show(RunFinished("r1", 1, "failed", {}, 0.1, message="cannot read " + ATTACK))
        reporter.note("saved " + ATTACK)
    out = capsys.readouterr().out
    assert printable_lines(out), repr(out)
    lines = out.splitlines()
    assert len(lines) == 6  # started, eval, one sample, finished + its message, saved
    assert "lstm⏎ on cpu\\x1b]0;pwned\\x07\\x1b[2J␍\\u202e" in lines[0] and "corpus a\\x1b]0;" in lines[0]
    shown = "\\x1b]0;pwned\\x07\\x1b[2J␍\\u202e"
    assert lines[2] == f"     'pre{shown}' -> model 'pre⇥fix{shown}'  (target 'pre{shown}fix⏎')"
    assert lines[4] == "cannot read \\x1b]0;pwned\\x07\\x1b[2J␍\\u202e"


def test_training_on_a_hostile_corpus_prints_it_escaped_and_predict_keeps_only_line_feeds(tmp_path, capsys):
    corpus, ckpt = tmp_path / "corpus.txt", tmp_path / "c.safetensors"
    corpus.write_bytes((CORPUS * 30).encode("utf-8"))
    assert main(["train", "--preset", "completion", "--corpus", str(corpus), "--steps", "2", "--eval-every", "1",
                 "--log-every", "1", "--hidden", "8", "--embedding", "4", "--length", "16", "--batch-size", "2",
                 "--device", "cpu", "--save", str(ckpt)]) == 0
    out = capsys.readouterr().out
    assert printable_lines(out), repr(out)
    assert "\\x07\\x1b[2J␍\\u202e" in out and "⏎" in out  # the samples, shown
    assert main(["predict", str(ckpt), "Speak, \x1b]0;", "--length", "120"]) == 0
    predicted = capsys.readouterr().out
    assert printable_lines(predicted) and predicted.startswith("Speak, \\x1b]0;")


def test_predict_escapes_a_vocabulary_of_control_characters(tmp_path, capsys):
    import engine

    source, target = "ab\x1b]0;p\x07", "\x1b[2J\r\u202e\n\x07"
    trainer = engine.Trainer(presets.get("hello").replace(pairs=((source, target),), steps=60, device="cpu"))
    for _ in trainer.run():
        pass
    ckpt = tmp_path / "m.safetensors"
    trainer.save(str(ckpt))
    assert main(["predict", str(ckpt), source]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out[:-1].isprintable(), repr(out)  # a mapping's line feed is shown as ⏎
    assert out == "\\x1b[2J␍\\u202e⏎\\x07\n"


def test_the_progress_display_on_a_terminal_sends_no_sequence_from_the_data(tmp_path):
    corpus = tmp_path / "corpus.txt"
    corpus.write_bytes((CORPUS * 30).encode("utf-8"))
    leader, follower = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "train", "--preset", "completion", "--corpus",
                             str(corpus), "--steps", "2", "--eval-every", "1", "--hidden", "8", "--embedding", "4",
                             "--length", "16", "--batch-size", "2", "--device", "cpu"],
                            stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
                            env={**os.environ, "COLUMNS": "200", "TERM": "xterm-256color"})
    os.close(follower)
    output = read_terminal(leader)
    assert proc.wait(timeout=60) == 0
    text = output.decode("utf-8", "replace")
    assert "\\x07\\x1b[2J␍\\u202e" in text  # the samples were printed, escaped
    for attack in ("\x1b]0;pwned", "\x1b[2J", "\x07", "\u202e", "\ufeff"):
        assert attack not in text
