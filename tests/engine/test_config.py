"""TrainConfig (engine/config.py): validated copies, errors that name the field and what is accepted."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

import engine
from engine.config import ConfigError, TrainConfig


def test_replace_returns_a_validated_copy():
    cfg = engine.presets.get("caesar")
    new = cfg.replace(steps=500, device="cpu")
    assert (new.steps, new.device) == (500, "cpu") and cfg.steps != 500


@pytest.mark.parametrize("field, value, words", [
    ("steps", 0, "steps: 0 is out of range"),
    ("steps", -3, "steps"),
    ("hidden", 10**9, "hidden"),
    ("lr", math.nan, "lr: expected a finite number"),
    ("lr", 0.0, "lr"),
    ("batch_size", "64", "batch_size: expected a whole number"),
    ("layers", True, "layers"),
    ("cell", "lstn", "did you mean 'lstm'"),
    ("task", "ceasar", "did you mean 'caesar'"),
    ("device", "gpu", "device: expected auto, cpu, cuda, cuda:N or mps"),
    ("key", 27, "key"),
    ("dropout", 1.5, "dropout"),
])
def test_bad_values_name_the_field_and_what_is_accepted(field, value, words):
    with pytest.raises(engine.ConfigError, match=words) as info:
        engine.presets.get("caesar").replace(**{field: value})
    assert info.value.field == field
    assert "\n" not in str(info.value)


def test_unknown_setting_suggests_the_closest():
    with pytest.raises(engine.ConfigError, match="did you mean 'hidden'"):
        engine.presets.get("caesar").replace(hiden=3)


@pytest.mark.parametrize("pairs", [(), (("hello", "ohlo"),), (("ab", "ba"), ("abc", "cba")), (("", ""),),
                                   (("a", "b"), ("a", "c"))])
def test_mapping_pairs_must_be_non_empty_and_equal_length(pairs):
    with pytest.raises(engine.ConfigError, match="pairs"):
        TrainConfig(task="mapping", pairs=pairs)


def test_unknown_preset_suggests_the_closest():
    with pytest.raises(engine.ConfigError, match="did you mean 'caesar-lesson'"):
        engine.presets.get("caesar-lesson2")


def test_every_preset_reads_back_from_its_dict_as_itself():
    for name in engine.presets.names():
        cfg = engine.presets.get(name)
        assert TrainConfig.from_dict(cfg.to_dict()) == cfg


@pytest.mark.parametrize("pairs", [(("hello", "ohlol"),), (("a;b", "c->"), ("x:y", "u,v")), ((" x", "y "),),
                                   (("\\", "\\"),), (("  ", "ab"),), (("\t\n", "\x1b "),)])
def test_pairs_syntax_round_trips_any_characters(pairs):
    from engine.config import format_pairs, parse_pairs

    assert parse_pairs(format_pairs(pairs)) == pairs


def test_pairs_syntax_ignores_spaces_around_items_and_a_trailing_comma():
    from engine.config import parse_pairs

    assert parse_pairs(" hello : ohlol , world:dlrow,") == (("hello", "ohlol"), ("world", "dlrow"))


@pytest.mark.parametrize("text", ["hello", "a:b:c", "x\\"])
def test_malformed_pairs_name_the_field(text):
    from engine.config import parse_pairs

    with pytest.raises(engine.ConfigError, match="pairs"):
        parse_pairs(text)


def test_unused_settings_name_what_each_task_ignores():
    from engine.config import unused_settings

    lesson = engine.presets.get("sentences-lesson")
    assert {"length", "batch_size", "key", "pairs"} <= set(unused_settings(lesson))
    assert "length" not in unused_settings(lesson.replace(corpus="x.txt"))
    assert set(unused_settings(engine.presets.get("caesar"))) == {"corpus", "pairs", "symbols", "delay", "keyword"}


@pytest.mark.parametrize("keyword", ["ß", "ſ", "ı", "ﬀ", "Ä", "ß" * 64])  # upper() makes some of them A-Z
def test_a_keyword_is_ascii_letters_as_typed(keyword):
    from engine.tasks import vigenere

    with pytest.raises(ConfigError, match="keyword: expected 1 to 64 letters A-Z"):
        TrainConfig(task="vigenere", keyword=keyword)
    with pytest.raises(ValueError, match="keyword must be 1 to 64 letters A-Z"):
        vigenere.encrypt("attack", keyword)


@pytest.mark.parametrize("value", [-0.1, 1.0, 1.5, math.nan, math.inf, "0.1", True, None])
def test_dropout_outside_zero_to_0_99_names_the_field_and_the_range(value):
    with pytest.raises(engine.ConfigError) as info:
        engine.presets.get("completion").replace(dropout=value)
    assert info.value.field == "dropout" and "\n" not in str(info.value)
    if isinstance(value, float) and math.isfinite(value):
        assert "accepted: from 0.0 to 0.99" in str(info.value)


@pytest.mark.parametrize("value", [0.0, 0.5, 0.99])
def test_dropout_in_range_is_accepted(value):
    assert engine.presets.get("completion").replace(dropout=value).dropout == value


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
