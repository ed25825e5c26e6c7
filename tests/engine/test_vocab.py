"""Vocabulary (engine/vocab.py): symbols to ids and back, with an explicit unknown symbol."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.vocab import Vocabulary, VocabularyError


def test_unseen_characters_map_to_the_unknown_symbol():
    vocab = Vocabulary.from_text("hello", unknown="?")
    assert vocab.symbols == ("?", "e", "h", "l", "o")
    assert vocab.decode(vocab.encode("hez")) == "he?"


def test_without_unknown_symbol_unseen_characters_are_a_clear_error():
    vocab = Vocabulary("ehlo")
    with pytest.raises(VocabularyError, match="'z' not in this model's vocabulary"):
        vocab.encode("hz")


def test_a_vocabulary_reads_back_from_its_dict_as_itself():
    vocab = Vocabulary.from_text("abc", unknown="\ufffd")
    assert Vocabulary.from_dict(vocab.to_dict()) == vocab


# every Unicode category, surrogates (as argv's surrogate escapes arrive) and NUL included
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)


@given(st.text(min_size=1, max_size=30), ANY_TEXT)
def test_vocabulary_round_trip(corpus, text):
    vocab = Vocabulary.from_text(corpus, unknown="\ufffd")
    assert vocab.decode(vocab.encode(corpus)) == corpus
    decoded = vocab.decode(vocab.encode(text))
    assert len(decoded) == len(text)
    assert all(d == t or (t not in vocab and d == "\ufffd") for d, t in zip(decoded, text, strict=True))
