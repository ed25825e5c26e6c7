"""Lesson A's Caesar cipher (engine/tasks/caesar.py): the exact cipher, its test vectors and the task's data."""

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import engine
from engine.tasks import caesar


@pytest.mark.parametrize("plain, cipher", [
    ("THIS-IS-A-SECRET", "FUVEMVEMNMERPDRF"),
    ("this is a secret", "FUVEMVEMNMERPDRF"),
    ("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "NOPQRSTUVWXYZ-ABCDEFGHIJKL"),
    ("SECRET", "ERPDRF"),
])
def test_the_seed_test_vectors_encrypt_and_decrypt_with_key_13(plain, cipher):
    assert caesar.encrypt(plain, key=13) == cipher
    assert caesar.decrypt(cipher, key=13) == caesar.normalize(plain)


def test_indices_of_the_lesson():
    assert caesar.VOCAB.encode(caesar.encrypt("SECRET")) == [4, 17, 15, 3, 17, 5]
    assert caesar.encrypt(caesar.ALPHABET[7]) == caesar.ALPHABET[20]
    assert caesar.encrypt(caesar.ALPHABET[17]) == caesar.ALPHABET[3]


def test_key_13_is_not_its_own_inverse():
    assert caesar.encrypt(caesar.encrypt("HELLO")) != "HELLO"
    assert caesar.shift(caesar.encrypt("HELLO"), 14) == "HELLO"


@pytest.mark.parametrize("key", range(27))
def test_decrypt_inverts_encrypt_for_every_key(key):
    text = "Attack at dawn! 123 ÄÖ"
    assert caesar.decrypt(caesar.encrypt(text, key), key) == caesar.normalize(text)


def test_foreign_characters_become_dash():
    assert caesar.normalize("héllo, wörld 42") == "H-LLO--W-RLD---"


def test_bad_key_is_refused_with_its_range():
    with pytest.raises(ValueError, match="0 to 26"):
        caesar.encrypt("A", key=27)


def test_task_pairs_are_the_cipher_of_the_targets():
    cfg = engine.presets.get("caesar").replace(device="cpu", key=5, length=11, batch_size=7)
    gen = torch.Generator().manual_seed(0)
    task = caesar.CaesarTask(cfg, torch.device("cpu"), gen)
    x, y = task.batch()
    assert x.shape == y.shape == (7, 11) and x.dtype == torch.long
    for row_x, row_y in zip(x.tolist(), y.tolist(), strict=True):
        assert caesar.VOCAB.decode(row_x) == caesar.encrypt(caesar.VOCAB.decode(row_y), 5)


# every Unicode category, surrogates (as argv's surrogate escapes arrive) and NUL included
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)


@given(ANY_TEXT, st.integers(0, 26))
def test_decrypt_inverts_encrypt_for_any_text_and_key(text, key):
    cipher = caesar.encrypt(text, key)
    assert len(cipher) == len(text) and set(cipher) <= set(caesar.ALPHABET)
    assert caesar.decrypt(cipher, key) == caesar.normalize(text)
