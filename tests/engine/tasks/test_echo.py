"""Echo (engine/tasks/echo.py): the exact reference function (vectors and properties) and data that matches it."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import engine
from engine.tasks import echo


@pytest.mark.parametrize("text, delay, symbols, out", [
    ("ABCDEFG", 2, 8, "--ABCDE"),
    ("abcabc", 1, 3, "-ABCAB"),
    ("AXB", 1, 8, "-A-"),  # X is outside the first 8 letters: it reads as the blank
    ("ABC", 5, 8, "---"),
    ("ABC", 0, 8, "ABC"),
])
def test_echo_gives_the_known_vectors(text, delay, symbols, out):
    assert echo.echo(text, delay, symbols) == out


@given(st.text(alphabet="ABCDEFGH", min_size=1, max_size=60), st.integers(0, 70))
def test_echo_is_the_stream_shifted_by_the_delay(text, delay):
    out = echo.echo(text, delay, 8)
    assert len(out) == len(text)
    for t, ch in enumerate(out):
        assert ch == (text[t - delay] if t >= delay else "-")


def test_echo_delay_must_leave_something_to_echo():
    with pytest.raises(engine.ConfigError, match="delay"):
        engine.TrainConfig(task="echo", delay=32, length=32)


def _batch(task, **kw):
    cfg = engine.TrainConfig(task=task, device="cpu", batch_size=5, length=13, **kw)
    built = engine.tasks.make(cfg, torch.device("cpu"), torch.Generator().manual_seed(0))
    return built, built.batch()


def test_echo_batches_match_the_reference():
    task, (x, y) = _batch("echo", delay=3, symbols=5)
    assert x.shape == y.shape == (5, 13) and int(x.min()) >= 1 and int(x.max()) <= 5
    for row_x, row_y in zip(x.tolist(), y.tolist(), strict=True):
        assert task.vocab.decode(row_y) == echo.echo(task.vocab.decode(row_x), 3, 5)
