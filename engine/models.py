"""SequenceModel: one-hot or embedding input -> a registered cell's core -> linear head or none.

One class, whatever the cell, as pytorch/examples' word_language_model does; the cell (engine/cells/)
builds the core and knows its state. Everything is batch_first: x is (batch, seq) of symbol ids, logits
are (batch, seq, vocab).
"""

from __future__ import annotations

from math import prod

import torch
import torch.nn.functional as F
from torch import nn

from engine import cells
from engine.cells.base import between_layers

MAX_PARAMETERS = 200_000_000  # a playground run; larger is a typo or a crafted checkpoint


class SequenceModel(nn.Module):
    def __init__(self, vocab_size: int, *, cell: str, hidden: int, layers: int = 1,
                 embedding: int = 0, dropout: float = 0.0, head: str = "linear"):
        super().__init__()
        check_head(head, hidden, vocab_size)
        self.cell = cells.get(cell)
        self.vocab_size, self.hidden, self.layers = vocab_size, hidden, layers
        self.embed = nn.Embedding(vocab_size, embedding) if embedding else None
        self.core = self.cell.build(embedding or vocab_size, hidden, layers, between_layers(dropout, layers))
        self.drop = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, vocab_size) if head == "linear" else None

    def encode_input(self, x: torch.Tensor) -> torch.Tensor:
        if self.embed is not None:
            return self.embed(x)
        return F.one_hot(x, self.vocab_size).to(self.head.weight.dtype if self.head is not None else torch.float32)

    def forward(self, x: torch.Tensor, hidden=None):
        out, hidden = self.core(self.encode_input(x), hidden)
        if self.head is None:
            return out, hidden
        if self.drop.p:  # a Dropout(0) still costs ~5 % of a batch-1 step in autograd: skip it
            out = self.drop(out)
        return self.head(out), hidden

    def shapes(self, batch: int, seq: int) -> tuple[str, ...]:
        """The tensor shapes of one forward pass, as the lessons teach them (batch_first)."""
        inp = self.embed.embedding_dim if self.embed is not None else self.vocab_size
        kind = "embedding" if self.embed is not None else "one-hot"
        lines = [f"input ids ({batch}, {seq}) -> {kind} ({batch}, {seq}, {inp})"]
        lines += self.cell.shapes(batch, seq, inp, self.hidden, self.layers)
        head = f"Linear({self.hidden}, {self.vocab_size})" if self.head is not None else "hidden state as scores"
        lines.append(f"{head} -> logits ({batch}, {seq}, {self.vocab_size})")
        return tuple(lines)


def check_head(head: str, hidden: int, vocab_size: int) -> None:
    """ValueError unless the head fits: without one, the hidden state itself is the scores."""
    if head == "none" and hidden != vocab_size:
        raise ValueError("head none uses the hidden state as scores: "
                         f"hidden must equal the vocabulary size ({vocab_size})")


def build(config, vocab_size: int) -> SequenceModel:
    model = SequenceModel(vocab_size, cell=config.cell, hidden=config.hidden, layers=config.layers,
                          embedding=config.embedding, dropout=config.dropout, head=config.head)
    model.cell.initialise(model.core, config)
    return model


def parameter_shapes(config, vocab_size: int) -> list[tuple[str, tuple[int, ...]]]:
    """(name, shape) of every parameter of build(config, vocab_size), in its named_parameters() order, by
    arithmetic: nothing is built (building on the meta device imported torch._dynamo, 1.7 CPU-s a load)."""
    shapes = [("embed.weight", (vocab_size, config.embedding))] if config.embedding else []
    core = cells.get(config.cell).parameter_shapes(config.embedding or vocab_size, config.hidden, config.layers)
    shapes += [(f"core.{name}", shape) for name, shape in core]
    if config.head == "linear":
        shapes += [("head.weight", (vocab_size, config.hidden)), ("head.bias", (vocab_size,))]
    return shapes


def check_size(config, vocab_size: int) -> int:
    """The model's parameter count, by arithmetic (nothing allocated); ConfigError past the cap.

    Every path that builds a model (a new run, resume, load, the app) calls this first.
    """
    from engine.config import ConfigError

    try:
        check_head(config.head, config.hidden, vocab_size)
    except ValueError as e:
        raise ConfigError("hidden", str(e)) from None  # the field to change, as Setup marks it
    count = sum(prod(shape) for _, shape in parameter_shapes(config, vocab_size))
    if count > MAX_PARAMETERS:
        raise ConfigError("hidden", f"the model would have {count:,} parameters; at most {MAX_PARAMETERS:,} "
                                    "are accepted (lower --hidden, --layers or --embedding)")
    return count


class GenerationError(ValueError):
    """The model's scores are not finite numbers (its weights diverged or were damaged): nothing to sample."""


NOT_FINITE = ("the model's output is not a finite number (its weights have diverged or are damaged); "
              "train it again, with a lower learning rate or clipping")


def check_finite(scores: torch.Tensor) -> None:
    """GenerationError unless every score is a finite number (an answer from NaN scores is garbage)."""
    if not bool(torch.isfinite(scores).all()):
        raise GenerationError(NOT_FINITE)


@torch.no_grad()
def generate(model: SequenceModel, prefix: list[int], count: int, temperature: float = 0.0,
             generator: torch.Generator | None = None) -> list[int]:
    """`count` new ids after `prefix`, one at a time carrying the hidden state (greedy at temperature 0).

    Sampling works on the CPU, on scores shifted so the best is 0, in float64: a tiny temperature only pushes the
    others towards -inf (probability 0), so it tends to greedy instead of overflowing.
    """
    device = next(model.parameters()).device
    logits, hidden = model(torch.tensor([prefix], device=device))
    out: list[int] = []
    for _ in range(count):
        last = logits[0, -1].to("cpu", torch.float64)  # a few scores; the sampling generator is a CPU one
        if not bool(torch.isfinite(last).all()):
            raise GenerationError(NOT_FINITE)
        if temperature > 0:
            scores = (last - last.max()) / temperature
            nxt = int(torch.multinomial(torch.softmax(scores, -1), 1, generator=generator))
        else:
            nxt = int(last.argmax())
        out.append(nxt)
        logits, hidden = model(torch.tensor([[nxt]], device=device), hidden)
    return out
