"""SequenceModel: one-hot or embedding input -> rnncell loop | rnn | lstm | gru -> linear head or none.

One class chooses its core by name, as pytorch/examples' word_language_model does. Everything is
batch_first: x is (batch, seq) of symbol ids, logits are (batch, seq, vocab).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

FUSED = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
MAX_PARAMETERS = 200_000_000  # a playground run; larger is a typo or a crafted checkpoint


class CellLoop(nn.Module):
    """A stack of nn.RNNCell stepped by hand over the sequence, as Lesson C 12-1 teaches."""

    def __init__(self, input_size: int, hidden_size: int, layers: int, dropout: float):
        super().__init__()
        sizes = [input_size] + [hidden_size] * (layers - 1)
        self.cells = nn.ModuleList(nn.RNNCell(size, hidden_size) for size in sizes)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, h: torch.Tensor | None = None):
        # x: (batch, seq, input); h: (layers, batch, hidden), the same layout as nn.RNN
        if h is None:
            h = x.new_zeros(len(self.cells), x.size(0), self.cells[0].hidden_size)
        states = list(h.unbind(0))
        outputs = []
        for t in range(x.size(1)):
            inp = x[:, t]
            for i, cell in enumerate(self.cells):
                states[i] = cell(inp, states[i])
                inp = self.dropout(states[i]) if i < len(self.cells) - 1 else states[i]
            outputs.append(inp)
        return torch.stack(outputs, 1), torch.stack(states)


class SequenceModel(nn.Module):
    def __init__(self, vocab_size: int, *, cell: str, hidden: int, layers: int = 1,
                 embedding: int = 0, dropout: float = 0.0, head: str = "linear"):
        super().__init__()
        self.vocab_size, self.cell, self.hidden, self.layers = vocab_size, cell, hidden, layers
        self.embed = nn.Embedding(vocab_size, embedding) if embedding else None
        input_size = embedding or vocab_size
        inner_dropout = dropout if layers > 1 else 0.0
        if cell == "rnncell":
            self.core = CellLoop(input_size, hidden, layers, inner_dropout)
        else:
            self.core = FUSED[cell](input_size, hidden, layers, batch_first=True, dropout=inner_dropout)
        self.drop = nn.Dropout(dropout)
        if head == "none" and hidden != vocab_size:
            raise ValueError("head none uses the hidden state as scores: "
                             f"hidden must equal the vocabulary size ({vocab_size})")
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
        state = f"({self.layers}, {batch}, {self.hidden})"
        lines = [f"input ids ({batch}, {seq}) -> {kind} ({batch}, {seq}, {inp})"]
        if self.cell == "rnncell":
            lines.append(f"RNNCell step: input ({batch}, {inp}), hidden ({batch}, {self.hidden}), x{seq} steps")
        else:
            lines.append(f"{self.cell.upper()} output ({batch}, {seq}, {self.hidden}), h0/h_n {state}"
                         + (" x2 (h, c)" if self.cell == "lstm" else ""))
        head = f"Linear({self.hidden}, {self.vocab_size})" if self.head is not None else "hidden state as scores"
        lines.append(f"{head} -> logits ({batch}, {seq}, {self.vocab_size})")
        return tuple(lines)


def build(config, vocab_size: int) -> SequenceModel:
    model = SequenceModel(vocab_size, cell=config.cell, hidden=config.hidden, layers=config.layers,
                          embedding=config.embedding, dropout=config.dropout, head=config.head)
    if config.cell == "lstm" and config.forget_bias:
        set_forget_bias(model.core, config.forget_bias)
    return model


@torch.no_grad()
def set_forget_bias(lstm: nn.LSTM, value: float) -> None:
    """Start every layer's forget gate at sigmoid(value): with 1, about 0.73 of the cell state carries over,
    so gradients reach far back from the first step (Gers et al. 2000; Jozefowicz et al. 2015).
    PyTorch adds two biases per gate (gate order i, f, g, o): the whole value goes in bias_ih."""
    size = lstm.hidden_size
    for layer in range(lstm.num_layers):
        getattr(lstm, f"bias_ih_l{layer}")[size:2 * size] = value
        getattr(lstm, f"bias_hh_l{layer}")[size:2 * size] = 0.0


def check_size(config, vocab_size: int) -> int:
    """The model's parameter count, counted on the meta device (nothing allocated); ConfigError past the cap.

    Every path that builds a model (a new run, resume, load, the app) calls this first.
    """
    from engine.config import ConfigError

    try:
        with torch.device("meta"):
            count = sum(p.numel() for p in build(config, vocab_size).parameters())
    except ValueError as e:
        raise ConfigError("head", str(e)) from None
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
