"""Properties over generated inputs: the cipher, the vocabulary, predict() and config validation are total."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import engine
from engine.config import TrainConfig
from engine.tasks import caesar
from engine.vocab import Vocabulary, VocabularyError

# every Unicode category, surrogates (as argv's surrogate escapes arrive) and NUL included
ANY_TEXT = st.text(st.characters(codec=None, exclude_categories=()), max_size=60)


@given(ANY_TEXT, st.integers(0, 26))
def test_decrypt_inverts_encrypt_for_any_text_and_key(text, key):
    cipher = caesar.encrypt(text, key)
    assert len(cipher) == len(text) and set(cipher) <= set(caesar.ALPHABET)
    assert caesar.decrypt(cipher, key) == caesar.normalize(text)


@given(st.text(min_size=1, max_size=30), ANY_TEXT)
def test_vocabulary_round_trip(corpus, text):
    vocab = Vocabulary.from_text(corpus, unknown="\ufffd")
    assert vocab.decode(vocab.encode(corpus)) == corpus
    decoded = vocab.decode(vocab.encode(text))
    assert len(decoded) == len(text)
    assert all(d == t or (t not in vocab and d == "\ufffd") for d, t in zip(decoded, text, strict=True))


@pytest.fixture(scope="module")
def trainers():
    made = {}
    for name in ("caesar", "completion", "hello"):
        trainer = engine.Trainer(engine.presets.get(name).replace(device="cpu", steps=2, eval_every=2))
        list(trainer.run())
        made[name] = trainer
    return made


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=ANY_TEXT)
def test_predict_is_total_over_any_unicode(trainers, text):
    assert len(trainers["caesar"].predict(text)) == len(text)
    completed = trainers["completion"].predict(text, length=len(text) + 5)
    assert completed.startswith(text) and len(completed) == len(text) + 5
    try:
        assert len(trainers["hello"].predict(text)) == len(text)
    except VocabularyError as e:  # mapping has no unknown symbol: a clear one-line refusal
        assert "\n" not in str(e)


FIELD_VALUES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=8),
                         st.lists(st.integers(), max_size=2), st.tuples(st.text(max_size=3), st.text(max_size=3)))


@given(st.dictionaries(st.sampled_from([f for f in TrainConfig.__dataclass_fields__]), FIELD_VALUES, max_size=4))
def test_config_validation_is_total(changes):
    try:
        cfg = TrainConfig().replace(**changes)
    except engine.ConfigError as e:
        assert e.field and "\n" not in str(e)
    else:
        assert isinstance(cfg.lr, (int, float)) and math.isfinite(cfg.lr)
