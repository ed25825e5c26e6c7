"""Inside a model: the states its cell carries (hidden, and an LSTM's cell), top candidates and connectivity.

`inspect(model, task, text)` runs the model one position at a time, so every layer's state at every
position is seen (fused modules only return the last layer's outputs per position).

Connectivity says how much each output depends on each input: row t, column s holds how much the
log-probability output t gives its chosen (most likely) symbol changes when input s is blanked (its
one-hot or embedding vector set to zero, as if nothing were read there), normalised so that the row
sums to 1; s > t is always 0. It is the exact change, not the gradient: on trained models the
gradient (its norm, squared norm, or gradient x input, its first-order estimate of this change) is
dominated by directions that never change the answer. A Caesar LSTM that decrypts every character
right puts 0.71 of the gradient norm (0.52 on its worst position) on the character being decrypted,
an echo GRU (delay 3) 0.42 of the squared norm on the character being echoed; blanking 0.99 or more.
The gradient is there too, on request (`gradient=True`): row t, column s is the norm of the gradient of
output t's log-probability of its chosen symbol with respect to input vector s, normalised per row:
the gradient through time the lessons talk about.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from engine.cells.base import HIDDEN
from engine.models import check_finite

MAX_LENGTH = 256  # characters inspected at most: T forward steps and T backward passes
TOP = 3
BLANKED_PER_PASS = 64  # blanked copies of the text run at once: bounds memory at long texts and wide models


@dataclass(frozen=True)
class Inside:
    text: str  # what the model read, after the task's normalisation
    states: dict  # {part name: [layer][position][unit]} for each part the cell carries, "hidden" first
    top: list  # [position] -> [{"symbol": str, "p": float}, ...], most likely first
    target: str | None  # what the task says each output should be, where it defines it
    target_p: list | None  # [position] -> the probability the model gives the target symbol
    connectivity: list  # [t][s]: share of output t's change when input s is blanked (0 for s > t)
    gradient: list | None = None  # [t][s]: share of output t's gradient norm from input s, when asked for
    parts: tuple = (HIDDEN,)  # the cell's StateParts, in the order of `states`: their names, keys and bounds

    @property
    def hidden(self) -> list:
        """[layer][position][unit]: the hidden state, which every cell carries and the head reads."""
        return self.states[HIDDEN.name]

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "states": self.states, "top": self.top, "target": self.target,
                "target_p": self.target_p, "connectivity": self.connectivity, "gradient": self.gradient}


def inspect(model, task, text: str, gradient: bool = False) -> Inside:
    """Look inside `model` (a SequenceModel in eval mode) reading `text` for `task`; `gradient` adds the
    gradient connectivity (one more backward pass per position: the app leaves it out)."""
    refused = task.refused(task.config, task.vocab, text)  # as Play and `rnnplay predict` refuse them
    if refused:
        raise ValueError(refused)
    text = task.inputs(text)
    if not text:
        raise ValueError("nothing to inspect: type some text")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"text is {len(text):,} characters; at most {MAX_LENGTH} can be inspected")
    device = next(model.parameters()).device
    ids = torch.tensor([task.vocab.encode(text)], device=device)
    with torch.no_grad():
        inputs = model.encode_input(ids).float()
        logits, states = _step_through(model, inputs)
        check_finite(logits)
        connectivity = _connectivity(model, inputs, logits.argmax(-1)[0])
    grads = _gradient(model, inputs, logits.argmax(-1)[0]).tolist() if gradient else None
    probs = torch.softmax(logits.float(), -1)[0]
    target = task.targets(text)
    return Inside(text, {part.name: _listed(state) for part, state in zip(model.cell.state_parts, states, strict=True)},
                  _top(probs, task.vocab), target, _target_p(probs, task.vocab, target), connectivity.tolist(), grads,
                  model.cell.state_parts)


def _step_through(model, inputs: torch.Tensor):
    """Logits (1, T, vocab) and, for each part of the cell's state, every layer's value per position:
    (layers, T, hidden) each."""
    core, state = model.core, None
    outputs, parts = [], [[] for _ in model.cell.state_parts]
    for t in range(inputs.size(1)):
        out, state = core(inputs[:, t: t + 1].to(_dtype(model)), state)
        outputs.append(out)
        for seen, value in zip(parts, model.cell.split_state(state), strict=True):
            seen.append(value[:, 0])
    out = torch.cat(outputs, 1)
    logits = model.head(out) if model.head is not None else out
    return logits, [torch.stack(seen, 1) for seen in parts]


def _dtype(model) -> torch.dtype:
    return next(model.core.parameters()).dtype


def _connectivity(model, inputs: torch.Tensor, chosen: torch.Tensor) -> torch.Tensor:
    """(T, T): row t is how much output t's log-probability of `chosen[t]` moves with each input blanked."""
    length = inputs.size(1)
    rows = torch.zeros(length, length)
    for start in range(0, length, BLANKED_PER_PASS):
        blanked = torch.arange(start, min(start + BLANKED_PER_PASS, length), device=inputs.device)
        copies = inputs.expand(len(blanked) + 1, -1, -1).clone()  # copy 0 is the text as it is
        copies[torch.arange(1, len(blanked) + 1), blanked] = 0  # copy i reads nothing at blanked[i - 1]
        logp = _chosen_logp(model, copies, chosen)  # one batch: the same arithmetic for every copy
        rows[:, start: start + len(blanked)] = (logp[1:] - logp[:1]).abs().T.cpu()
    return _shares(rows)


def _gradient(model, inputs: torch.Tensor, chosen: torch.Tensor) -> torch.Tensor:
    """(T, T): row t is the norm of d log p_t(chosen[t]) / d input s, per s. Copy t of the text carries
    only output t's log-probability backward, so one backward pass gives every row of a chunk."""
    length = inputs.size(1)
    rows = torch.zeros(length, length)
    # cuDNN runs RNN backward in training mode only; the plain kernels give the same gradient in eval mode
    with torch.enable_grad(), torch.backends.cudnn.flags(enabled=False):
        for start in range(0, length, BLANKED_PER_PASS):
            outputs = torch.arange(start, min(start + BLANKED_PER_PASS, length), device=inputs.device)
            copies = inputs.expand(len(outputs), -1, -1).clone().requires_grad_(True)
            logp = _chosen_logp(model, copies, chosen)
            chosen_logp = logp[torch.arange(len(outputs)), outputs].sum()
            (grad,) = torch.autograd.grad(chosen_logp, copies)  # the weights' .grad stays untouched
            rows[start: start + len(outputs)] = grad.float().norm(dim=2).cpu()
    return _shares(rows)


def _shares(rows: torch.Tensor) -> torch.Tensor:
    """Each row as shares of its total (s <= t only); a row where nothing moves the output is uniform."""
    length = rows.size(0)
    rows = rows.nan_to_num(nan=0.0, posinf=1.0).tril()  # outputs never depend on later inputs
    total = rows.sum(1, keepdim=True)
    uniform = torch.tril(torch.ones(length, length)) / torch.arange(1, length + 1).unsqueeze(1)
    return torch.where(total > 0, rows / total.clamp_min(1e-30), uniform)  # nothing moves it: no input stands out


def _chosen_logp(model, inputs: torch.Tensor, chosen: torch.Tensor) -> torch.Tensor:
    """(batch, T): the log-probability each position gives its chosen symbol, for a batch of input vectors."""
    out, _ = model.core(inputs.to(_dtype(model)))
    logits = model.head(out) if model.head is not None else out
    logp = torch.log_softmax(logits.float(), -1)
    return logp.gather(2, chosen.view(1, -1, 1).expand(inputs.size(0), -1, 1)).squeeze(2)


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
