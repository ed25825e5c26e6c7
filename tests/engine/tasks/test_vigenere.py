"""Vigenère (engine/tasks/vigenere.py): the cipher as `rnnplay encrypt/decrypt --cipher vigenere` gives it."""

import pytest
import torch
from cli_helpers import one_error_line
from hypothesis import given
from hypothesis import strategies as st

import engine
from engine.cli.main import main
from engine.tasks import caesar, vigenere


@pytest.mark.parametrize("argv, out", [
    (["encrypt", "attack at dawn", "--cipher", "vigenere", "--keyword", "lemon"], "LXEOPVDMGMOEHA"),
    (["decrypt", "LXEOPVDMGMOEHA", "--cipher", "vigenere", "--keyword", "LEMON"], "ATTACK-AT-DAWN"),
    (["encrypt", "this is a secret", "--cipher", "vigenere", "--keyword", "N"], "FUVEMVEMNMERPDRF"),
    (["encrypt", "this is a secret"], "FUVEMVEMNMERPDRF"),
])
def test_the_cipher_commands_print_the_known_vectors(capsys, argv, out):
    assert main(argv) == 0
    assert capsys.readouterr().out == out + "\n"


@pytest.mark.parametrize("argv, words", [
    (["encrypt", "x", "--cipher", "vigenere"], "takes --keyword"),
    (["encrypt", "x", "--cipher", "vigenere", "--keyword", "L3\x1b[2J"], "letters A-Z"),
    (["encrypt", "x", "--keyword", "AB"], "--keyword is for --cipher vigenere"),
])
def test_keyword_mistakes_are_one_line(capsys, argv, words):
    assert main(argv) == 2
    err = one_error_line(capsys.readouterr().err)
    assert words in err


@pytest.mark.parametrize("plain, keyword, cipher", [
    ("THIS-IS-A-SECRET", "N", "FUVEMVEMNMERPDRF"),  # keyword N is the Caesar cipher with key 13
    ("AAAAAA", "ABC", "ABCABC"),
    ("attack at dawn", "LEMON", "LXEOPVDMGMOEHA"),
    ("ZZZ", "B", "---"),  # Z + 1 is '-', the 27th symbol
])
def test_vigenere_gives_the_known_vectors_both_ways(plain, keyword, cipher):
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


def _batch(task, **kw):
    cfg = engine.TrainConfig(task=task, device="cpu", batch_size=5, length=13, **kw)
    built = engine.tasks.make(cfg, torch.device("cpu"), torch.Generator().manual_seed(0))
    return built, built.batch()


def test_vigenere_batches_match_the_reference():
    task, (x, y) = _batch("vigenere", keyword="SECRET")
    for row_x, row_y in zip(x.tolist(), y.tolist(), strict=True):
        assert caesar.VOCAB.decode(row_x) == vigenere.encrypt(caesar.VOCAB.decode(row_y), "SECRET")
