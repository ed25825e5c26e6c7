"""Scoring shared by the tasks: cross-entropy per position, argmax accuracy."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

LN2 = math.log(2)


def loss_of(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), target.reshape(-1))


@torch.no_grad()
def score(model, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float, torch.Tensor]:
    """(mean loss, per-character accuracy, predicted ids) of `model` on inputs x and targets y."""
    logits, _ = model(x)
    predicted = logits.argmax(-1)
    loss = loss_of(logits.float(), y).item()
    accuracy = (predicted == y).float().mean().item()
    return loss, accuracy, predicted


def scored_with_samples(model, vocab, x: torch.Tensor, y: torch.Tensor, count: int = 3) -> dict:
    """An evaluation of position-by-position tasks: loss, accuracy and the first `count` pairs as samples."""
    from engine.events import Sample

    loss, accuracy, predicted = score(model, x, y)
    decode = vocab.decode
    samples = tuple(Sample(decode(x[i].tolist()), decode(y[i].tolist()), decode(predicted[i].tolist()))
                    for i in range(min(count, len(x))))
    return {"loss": loss, "accuracy": accuracy, "samples": samples}


def check_prediction_length(text: str, limit: int = 1 << 20) -> None:
    if len(text) > limit:
        raise ValueError(f"text is {len(text):,} characters; at most {limit:,} are accepted")


def argmax_over(model, vocab, text: str) -> str:
    """The model's most likely symbol at each position of `text` (already in the vocabulary)."""
    check_prediction_length(text)
    if not text:
        return ""
    device = next(model.parameters()).device
    with torch.no_grad():
        logits, _ = model(torch.tensor([vocab.encode(text)], device=device))
    from engine.models import check_finite

    check_finite(logits)
    return vocab.decode(logits[0].argmax(-1).tolist())
