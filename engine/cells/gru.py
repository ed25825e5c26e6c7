"""gru: PyTorch's fused nn.GRU, whose reset and update gates blend the old hidden state with a new one."""

from __future__ import annotations

from typing import Any

from engine.cells.base import HIDDEN
from engine.cells.fused import FusedCell


class GRU(FusedCell):
    name = "gru"
    summary = "nn.GRU: reset and update gates blend the hidden state, fused over the sequence"
    module = "GRU"
    gates = 3  # reset, update, new
    state_parts = (HIDDEN,)

    def split_state(self, state: Any) -> tuple[Any, ...]:
        return (state,)
