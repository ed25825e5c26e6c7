"""Echo and Vigenère: exact reference functions (vectors and properties) and data that matches them."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import engine
from engine.tasks import caesar, echo, vigenere


@pytest.mark.parametrize("text, delay, symbols, out", [
    ("ABCDEFG", 2, 8, "--ABCDE"),
    ("abcabc", 1, 3, "-ABCAB"),
    ("AXB", 1, 8, "-A-"),  # X is outside the first 8 letters: it reads as the blank
    ("ABC", 5, 8, "---"),
    ("ABC", 0, 8, "ABC"),
])
def test_echo_vectors(text, delay, symbols, out):
    assert echo.echo(text, delay, symbols) == out


@given(st.text(alphabet="ABCDEFGH", min_size=1, max_size=60), st.integers(0, 70))
def test_echo_is_the_stream_shifted_by_the_delay(text, delay):
    out = echo.echo(text, delay, 8)
    assert len(out) == len(text)
    for t, ch in enumerate(out):
        assert ch == (text[t - delay] if t >= delay else "-")


@pytest.mark.parametrize("plain, keyword, cipher", [
    ("THIS-IS-A-SECRET", "N", "FUVEMVEMNMERPDRF"),  # keyword N is the Caesar cipher with key 13
    ("AAAAAA", "ABC", "ABCABC"),
    ("attack at dawn", "LEMON", "LXEOPVDMGMOEHA"),
    ("ZZZ", "B", "---"),  # Z + 1 is '-', the 27th symbol
])
def test_vigenere_vectors(plain, keyword, cipher):
    assert vigenere.encrypt(plain, keyword) == cipher
    assert vigenere.decrypt(cipher, keyword) == caesar.normalize(plain)


@given(st.text(max_size=80), st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=8))
def test_vigenere_decrypt_inverts_encrypt(text, keyword):
    assert vigenere.decrypt(vigenere.encrypt(text, keyword), keyword) == caesar.normalize(text)


@given(st.text(max_size=80), st.integers(0, 25))
def test_a_one_letter_keyword_is_caesar(text, key):
    assert vigenere.encrypt(text, chr(ord("A") + key)) == caesar.encrypt(text, key)


@pytest.mark.parametrize("keyword", ["", "AB1", "ÄB", "A" * 65, "LE MON"])
def test_bad_keywords_are_refused(keyword):
    with pytest.raises(ValueError, match="keyword"):
        vigenere.encrypt("X", keyword)
    with pytest.raises(engine.ConfigError, match="keyword"):
        engine.TrainConfig(task="vigenere", keyword=keyword)


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


def test_vigenere_batches_match_the_reference():
    task, (x, y) = _batch("vigenere", keyword="SECRET")
    for row_x, row_y in zip(x.tolist(), y.tolist(), strict=True):
        assert caesar.VOCAB.decode(row_x) == vigenere.encrypt(caesar.VOCAB.decode(row_y), "SECRET")


def test_registry_names_the_settings_each_task_reads():
    from engine.config import unused_settings

    unused = unused_settings(engine.TrainConfig(task="echo", length=32))
    assert "delay" not in unused and "symbols" not in unused and {"key", "keyword", "corpus"} <= set(unused)
    assert "keyword" not in unused_settings(engine.TrainConfig(task="vigenere"))
