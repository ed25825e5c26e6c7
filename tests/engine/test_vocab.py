import pytest

from engine.vocab import Vocabulary, VocabularyError


def test_unseen_characters_map_to_the_unknown_symbol():
    vocab = Vocabulary.from_text("hello", unknown="?")
    assert vocab.symbols == ("?", "e", "h", "l", "o")
    assert vocab.decode(vocab.encode("hez")) == "he?"


def test_without_unknown_symbol_unseen_characters_are_a_clear_error():
    vocab = Vocabulary("ehlo")
    with pytest.raises(VocabularyError, match="'z' not in this model's vocabulary"):
        vocab.encode("hz")


def test_dict_round_trip():
    vocab = Vocabulary.from_text("abc", unknown="\ufffd")
    assert Vocabulary.from_dict(vocab.to_dict()) == vocab
