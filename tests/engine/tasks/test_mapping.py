"""Lesson C's mapping (engine/tasks/mapping.py): every pair in every batch, a vocabulary of the pairs' sorted
characters with no unknown symbol, and an answer only for the strings it trained on."""

import torch

import engine
from engine.models import SequenceModel
from engine.tasks.mapping import MappingTask, symbols

CONFIG = engine.TrainConfig(task="mapping", pairs=(("hello", "ohlol"), ("holle", "lleho")), device="cpu")


def made():
    return engine.tasks.make(CONFIG, torch.device("cpu"), torch.Generator().manual_seed(0))


def test_the_vocabulary_is_the_pairs_characters_sorted_with_no_unknown_symbol():
    assert symbols(CONFIG.pairs) == ["e", "h", "l", "o"]
    vocab = MappingTask.vocabulary_for(CONFIG, None)
    assert vocab == made().vocab and len(vocab) == MappingTask.vocabulary_size(CONFIG) == 4
    assert vocab.unknown is None


def test_every_batch_is_every_pair_in_order():
    task = made()
    x, y = task.batch()
    assert [task.vocab.decode(row) for row in x.tolist()] == ["hello", "holle"]
    assert [task.vocab.decode(row) for row in y.tolist()] == ["ohlol", "lleho"]
    again_x, again_y = task.batch()
    assert torch.equal(x, again_x) and torch.equal(y, again_y)  # nothing random: the same batch each step
    assert task.chars_per_step == 10


def test_only_a_training_input_has_a_reference_answer():
    assert MappingTask.reference(CONFIG, "holle") == "lleho"
    assert MappingTask.reference(CONFIG, "hhhhh") is None


def test_only_the_pairs_characters_are_accepted():
    accepted = MappingTask.accepted(CONFIG, made().vocab)
    assert accepted.ok("h") and not accepted.ok("x") and accepted.words == "the pairs' characters: e h l o"


def test_length_and_batch_size_are_named_as_unused():
    assert set(MappingTask.unused_settings(CONFIG)) == {"length", "batch_size"}


def test_the_exported_section_holds_the_pairs_as_a_literal():
    section = MappingTask.export_section(CONFIG)
    assert "PAIRS = (('hello', 'ohlol'), ('holle', 'lleho'))" in section
    compile(section, "train.py", "exec")


def test_evaluation_scores_every_pair_and_shows_them_as_samples():
    torch.manual_seed(0)
    evaluated = made().evaluate(SequenceModel(4, cell="gru", hidden=8))
    assert 0.0 <= evaluated["accuracy"] <= 1.0 and evaluated["loss"] > 0
    assert [(s.input, s.target) for s in evaluated["samples"]] == [("hello", "ohlol"), ("holle", "lleho")]
