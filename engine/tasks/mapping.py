"""Lesson C: map one string to another position by position ("hello" -> "ohlol")."""

from __future__ import annotations

import torch

from engine.events import Sample
from engine.tasks.common import argmax_over, score
from engine.vocab import Vocabulary


class MappingTask:
    @staticmethod
    def vocabulary_for(config, saved: Vocabulary) -> Vocabulary:
        """The vocabulary a checkpoint of this task must have: the pairs' characters, sorted."""
        return Vocabulary(sorted({ch for pair in config.pairs for text in pair for ch in text}))

    """Every pair in one batch per step; the vocabulary is the sorted characters of all pairs."""

    def __init__(self, config, device, generator, vocab=None):
        self.pairs = config.pairs
        # no unknown symbol: the lesson's one-hot size is exactly its 4 characters
        self.vocab = Vocabulary(sorted({ch for pair in self.pairs for s in pair for ch in s}))
        self.x = torch.tensor([self.vocab.encode(src) for src, _ in self.pairs], device=device)
        self.y = torch.tensor([self.vocab.encode(dst) for _, dst in self.pairs], device=device)
        self.shape = tuple(self.x.shape)
        self.chars_per_step = self.x.numel()

    def batch(self):
        return self.x, self.y

    def evaluate(self, model) -> dict:
        loss, accuracy, predicted = score(model, self.x, self.y)
        samples = tuple(Sample(src, dst, self.vocab.decode(predicted[i].tolist()))
                        for i, (src, dst) in enumerate(self.pairs[:8]))
        return {"loss": loss, "accuracy": accuracy, "samples": samples}

    def inputs(self, text: str) -> str:
        return text

    def targets(self, text: str) -> str | None:
        """The pair's output when `text` is one of the training inputs."""
        return dict(self.pairs).get(text)

    def predict(self, model, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        return argmax_over(model, self.vocab, text)
