"""Inside a model: hidden (and cell) states, top candidates and connectivity, for one text.

`inspect(model, task, text)` runs the model one position at a time, so every layer's state at every
position is seen (fused modules only return the last layer's outputs per position), and keeps the
graph so that connectivity can be read from gradients: row t holds, for each input position s <= t,
the size of the gradient of output t's log-probability (of its predicted symbol) with respect to the
input vector at s (embedding or one-hot), normalised so the row sums to 1. That is the gradient
through time the lessons talk about: how far back each output looks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from engine.models import check_finite

MAX_LENGTH = 256  # characters inspected at most: T forward steps and T backward passes
TOP = 3


@dataclass(frozen=True)
class Inside:
    text: str  # what the model read, after the task's normalisation
    hidden: list  # [layer][position][unit]
    cell: list | None  # the same for an LSTM's cell state, else None
    top: list  # [position] -> [{"symbol": str, "p": float}, ...], most likely first
    target: str | None  # what the task says each output should be, where it defines it
    target_p: list | None  # [position] -> the probability the model gives the target symbol
    connectivity: list  # [t][s]: share of output t's gradient from input s (0 for s > t)

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "hidden": self.hidden, "cell": self.cell, "top": self.top,
                "target": self.target, "target_p": self.target_p, "connectivity": self.connectivity}


def inspect(model, task, text: str) -> Inside:
    """Look inside `model` (a SequenceModel in eval mode) reading `text` for `task`."""
    text = task.inputs(text)
    if not text:
        raise ValueError("nothing to inspect: type some text")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"text is {len(text):,} characters; at most {MAX_LENGTH} can be inspected")
    device = next(model.parameters()).device
    ids = torch.tensor([task.vocab.encode(text)], device=device)
    with torch.enable_grad():
        inputs = model.encode_input(ids).detach().float().requires_grad_(True)
        logits, states, cells = _step_through(model, inputs)
        check_finite(logits)
        logp = torch.log_softmax(logits.float(), -1)[0]  # (T, vocab)
        chosen = logp.gather(1, logp.argmax(-1, keepdim=True)).squeeze(1)
        connectivity = _connectivity(chosen, inputs)
    probs = logp.detach().exp()
    target = task.targets(text)
    return Inside(text, _listed(states), _listed(cells) if cells is not None else None, _top(probs, task.vocab),
                  target, _target_p(probs, task.vocab, target), connectivity.tolist())


def _step_through(model, inputs: torch.Tensor):
    """Logits (1, T, vocab) and every layer's state per position: (layers, T, hidden) [, cell]."""
    core, hidden = model.core, None
    outputs, states, cells = [], [], []
    for t in range(inputs.size(1)):
        out, hidden = core(inputs[:, t: t + 1].to(_dtype(model)), hidden)
        h, c = hidden if isinstance(hidden, tuple) else (hidden, None)
        outputs.append(out)
        states.append(h[:, 0])
        if c is not None:
            cells.append(c[:, 0])
    out = torch.cat(outputs, 1)
    logits = model.head(out) if model.head is not None else out
    return logits, torch.stack(states, 1), torch.stack(cells, 1) if cells else None


def _dtype(model) -> torch.dtype:
    return next(model.core.parameters()).dtype


def _connectivity(chosen: torch.Tensor, inputs: torch.Tensor) -> torch.Tensor:
    length = chosen.numel()
    rows = torch.zeros(length, length)
    for t in range(length):
        (grad,) = torch.autograd.grad(chosen[t], inputs, retain_graph=t < length - 1)
        size = grad[0].norm(dim=-1)[: t + 1].cpu()  # outputs never depend on later inputs
        total = size.sum()
        rows[t, : t + 1] = size / total if total > 0 else 1.0 / (t + 1)
    return rows


def _listed(states: torch.Tensor) -> list:
    return states.detach().float().cpu().tolist()


def _top(probs: torch.Tensor, vocab) -> list:
    p, ids = probs.topk(min(TOP, probs.size(-1)), -1)
    return [[{"symbol": vocab.symbols[i], "p": float(q)} for q, i in zip(row_p, row_i, strict=True)]
            for row_p, row_i in zip(p.tolist(), ids.tolist(), strict=True)]


def _target_p(probs: torch.Tensor, vocab, target: str | None) -> list | None:
    if target is None:
        return None
    ids = vocab.encode(target[: probs.size(0)])  # completion: each position's target is the next character
    return [float(probs[t, i]) for t, i in enumerate(ids)] + [None] * (probs.size(0) - len(ids))
