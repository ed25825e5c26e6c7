"""Scoring shared by the tasks (engine/tasks/common.py): cross-entropy per position, argmax accuracy, the
length cap on a text to predict, and the most likely symbol at each position."""

import math

import pytest
import torch

from engine.models import GenerationError
from engine.tasks import common
from engine.vocab import Vocabulary


class Fixed(torch.nn.Module):
    """A model whose scores are given: logits (batch, seq, vocabulary) cut to the input's size."""

    def __init__(self, logits: torch.Tensor):
        super().__init__()
        self.logits = logits
        self.weight = torch.nn.Parameter(torch.zeros(1))  # argmax_over asks the parameters for the device

    def forward(self, x, state=None):
        return self.logits[: x.size(0), : x.size(1)], state


def peaked(*rows: list[int], size: int = 3) -> torch.Tensor:
    """Logits that put each position's mass on the given symbol."""
    logits = torch.zeros(len(rows), len(rows[0]), size)
    for b, row in enumerate(rows):
        logits[b, torch.arange(len(row)), torch.tensor(row)] = 5.0
    return logits


def test_the_loss_is_the_mean_cross_entropy_over_every_position():
    uniform = torch.zeros(2, 3, 4)  # every symbol equally likely: ln 4 nats at each position
    assert common.loss_of(uniform, torch.zeros(2, 3, dtype=torch.long)).item() == pytest.approx(math.log(4))
    assert common.LN2 == pytest.approx(math.log(2))


def test_accuracy_is_the_share_of_positions_whose_argmax_is_the_target():
    model = Fixed(peaked([0, 1, 2, 0]))
    loss, accuracy, predicted = common.score(model, torch.zeros(1, 4, dtype=torch.long), torch.tensor([[0, 1, 2, 2]]))
    assert accuracy == 0.75 and predicted.tolist() == [[0, 1, 2, 0]] and loss > 0


def test_samples_decode_the_first_rows_as_input_target_and_output():
    vocab = Vocabulary("ABC")
    model = Fixed(peaked([0, 1], [2, 2]))
    x, y = torch.tensor([[1, 1], [0, 0]]), torch.tensor([[0, 1], [2, 0]])
    scored = common.scored_with_samples(model, vocab, x, y, count=3)
    assert scored["accuracy"] == 0.75
    assert [(s.input, s.target, s.output) for s in scored["samples"]] == [("BB", "AB", "AB"), ("AA", "CA", "CC")]
    assert len(common.scored_with_samples(model, vocab, x, y, count=1)["samples"]) == 1


def test_a_text_past_the_limit_is_refused_naming_both_lengths():
    common.check_prediction_length("x" * 10, limit=10)
    with pytest.raises(ValueError, match="text is 11 characters; at most 10 are accepted"):
        common.check_prediction_length("x" * 11, limit=10)


def test_argmax_over_gives_the_likeliest_symbol_at_each_position():
    vocab = Vocabulary("ABC")
    assert common.argmax_over(Fixed(peaked([2, 0, 1])), vocab, "AAA") == "CAB"
    assert common.argmax_over(Fixed(peaked([2, 0, 1])), vocab, "") == ""


def test_argmax_over_refuses_scores_that_are_not_finite():
    logits = peaked([2, 0, 1])
    logits[0, 1, 0] = math.nan
    with pytest.raises(GenerationError):
        common.argmax_over(Fixed(logits), Vocabulary("ABC"), "AAA")
