"""`rnnplay race` for people: a line per contestant as it starts (the first evaluation can be a
minute away), and a race stopped with Ctrl+C says "stopped" in its table, not "never"."""

from __future__ import annotations

import signal
import subprocess

from cli_helpers import start

TINY_ECHO = ["race", "--task", "echo", "--delay", "2", "--length", "12", "--hidden", "16", "--embedding", "4",
             "--batch-size", "8", "--eval-every", "100000", "--log-every", "10", "--device", "cpu"]


def test_contestants_say_they_started_and_a_stopped_race_says_stopped_not_never():
    proc = start(*TINY_ECHO, "--steps", "100000000", "--cells", "rnn,gru", stdout=subprocess.PIPE,
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
