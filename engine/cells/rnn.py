"""rnn: PyTorch's fused nn.RNN, h = tanh(W_ih x + W_hh h), the plain recurrence (Lesson C 12-2)."""

from __future__ import annotations

from typing import Any

from engine.cells.base import HIDDEN
from engine.cells.fused import FusedCell


class RNN(FusedCell):
    name = "rnn"
    summary = "nn.RNN: h = tanh(W x + U h), fused over the sequence"
    module = "RNN"
    gates = 1
    state_parts = (HIDDEN,)

    def split_state(self, state: Any) -> tuple[Any, ...]:
        return (state,)
