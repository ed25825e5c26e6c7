"""Held-out scoring for corpora: full context (the headline) and fixed windows (for comparison).

Full context reads the held-out text in order with the recurrent state carried across chunks, as a
model is used when it generates. To stay cheap it reads several contiguous streams side by side:
each stream first reads the WARM_UP characters before its part, unscored, so every scored
character has at least that much context (the first stream starts where the held-out tail starts).
Windowed scoring restarts the state every `length` characters, as training does.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from engine.tasks.common import loss_of

# held-out characters scored per evaluation, at most: 64k in all, three quarters of them in full context
EVAL_CHARS = 49_152
WINDOWED_CHARS = 16_384
# 32 streams with 256 characters of warm-up gave the same bits per character (to 1e-4) as one
# stream read from the start on tinyshakespeare, in a third of the time
STREAMS = 32
CHUNK = 256  # characters per forward call while carrying the state
WARM_UP = 256
WINDOW_BATCH = 256


def window_starts(size: int, length: int, count: int) -> torch.Tensor:
    """`count` evenly spread starts of (length + 1)-character windows in `size` characters.

    Integer arithmetic: float32 (torch.linspace's default) cannot represent sizes past 2**24
    exactly and rounded the last start beyond the end of large corpora.
    """
    last = size - length - 1
    if last < 0 or count < 1:
        raise ValueError(f"no window of {length + 1} characters fits in {size}")
    if count == 1:
        return torch.zeros(1, dtype=torch.long)
    return torch.arange(count, dtype=torch.long) * last // (count - 1)


def windows(held: torch.Tensor, length: int, chars: int = WINDOWED_CHARS) -> tuple[torch.Tensor, torch.Tensor]:
    """(inputs, targets) of evenly spread windows covering about `chars` characters of `held`."""
    count = min((held.numel() - 1) // length, max(1, chars // length))
    starts = window_starts(held.numel(), length, count).to(held.device)
    idx = starts[:, None] + torch.arange(length + 1, device=held.device)
    return held[idx[:, :-1]], held[idx[:, 1:]]


@torch.no_grad()
def windowed_loss(model, inputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Mean cross-entropy over windows, each starting from a zero state."""
    total = 0.0
    for x, y in zip(inputs.split(WINDOW_BATCH), targets.split(WINDOW_BATCH), strict=True):
        total += loss_of(model(x.long())[0].float(), y.long()).item() * len(x)
    return total / len(inputs)


def stream_layout(size: int, streams: int = STREAMS) -> tuple[int, int]:
    """(streams, scored characters per stream) for scoring min(size - 1, EVAL_CHARS) held-out characters."""
    scored = min(size - 1, EVAL_CHARS)
    streams = max(1, min(streams, scored // CHUNK))  # a short tail is read as fewer, longer streams
    return streams, scored // streams


@torch.no_grad()
def full_context_loss(model, held: torch.Tensor, streams: int = STREAMS, warm_up: int = WARM_UP) -> float:
    """Mean cross-entropy of predicting each held-out character from everything before it, state carried."""
    streams, per_stream = stream_layout(held.numel(), streams)
    # stream i scores the targets held[1:][i * per_stream: (i + 1) * per_stream], after up to warm_up
    # unscored characters before them (stream 0 has none: the held-out text starts there)
    first = torch.arange(streams, device=held.device) * per_stream
    lead = torch.clamp(first, max=warm_up)
    span = int(lead.max()) + per_stream
    text = held[(first - lead)[:, None] + torch.arange(span + 1, device=held.device)]
    offset = torch.arange(span, device=held.device)[None, :] - lead[:, None]
    scored = (offset >= 0) & (offset < per_stream)
    state, total = None, torch.zeros((), device=held.device)
    for start in range(0, span, CHUNK):
        end = min(start + CHUNK, span)
        logits, state = model(text[:, start:end].long(), state)
        losses = F.cross_entropy(logits.float().transpose(1, 2), text[:, start + 1: end + 1].long(),
                                 reduction="none")
        total += (losses * scored[:, start:end]).sum()  # a product, not a mask: no device sync per chunk
    return total.item() / (streams * per_stream)
