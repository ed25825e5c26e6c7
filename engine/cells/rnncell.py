"""rnncell: a stack of nn.RNNCell stepped by hand over the sequence, as Lesson C 12-1 teaches.

The loop nn.RNN runs for you, written out: slower (about 5x a fused module at small batch), kept for the
lesson that teaches it. Its state has nn.RNN's layout, (layers, batch, hidden).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from engine.cells.base import HIDDEN, Cell, between_layers, fill

FORWARD = '''
    def forward(self, x, state=None):
        """x: (batch, seq) of symbol ids -> scores (batch, seq, vocabulary), state (layers, batch, hidden)."""
        inputs = $inputs
        if state is None:
            state = inputs.new_zeros(len(self.cells), x.size(0), $hidden)
        states, outputs = list(state.unbind(0)), []
        for t in range(x.size(1)):  # the loop nn.RNN runs for you: one position at a time
            inp = inputs[:, t]
            for i, cell in enumerate(self.cells):
                states[i] = cell(inp, states[i])  # h = tanh(W_ih x + W_hh h)
                inp = $between
            outputs.append(inp)
        out = torch.stack(outputs, 1)
        return $scores, torch.stack(states)
'''


@cache
def loop_class() -> type:
    """The CellLoop module class, defined on first use so that importing the registry loads no torch."""
    import torch
    from torch import nn

    class CellLoop(nn.Module):
        """A stack of nn.RNNCell stepped by hand over the sequence."""

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

    return CellLoop


class RNNCellLoop(Cell):
    name = "rnncell"
    summary = "nn.RNNCell stepped by hand, one position at a time (the lesson's loop)"
    state_parts = (HIDDEN,)
    parallel_in_time = False

    def build(self, input_size: int, hidden: int, layers: int, dropout: float) -> Any:
        return loop_class()(input_size, hidden, layers, dropout)

    def split_state(self, state: Any) -> tuple[Any, ...]:
        return (state,)

    def parameter_shapes(self, input_size: int, hidden: int, layers: int) -> list[tuple[str, tuple[int, ...]]]:
        shapes = []
        for layer, size in enumerate([input_size] + [hidden] * (layers - 1)):
            shapes += [(f"cells.{layer}.weight_ih", (hidden, size)), (f"cells.{layer}.weight_hh", (hidden, hidden)),
                       (f"cells.{layer}.bias_ih", (hidden,)), (f"cells.{layer}.bias_hh", (hidden,))]
        return shapes

    def shapes(self, batch: int, seq: int, input_size: int, hidden: int, layers: int) -> tuple[str, ...]:
        return (f"RNNCell step: input ({batch}, {input_size}), hidden ({batch}, {hidden}), x{seq} steps",)

    def export_init(self, config: Any, width: int | str) -> list[str]:
        c = config
        more = f" + [nn.RNNCell({c.hidden}, {c.hidden}) for _ in range({c.layers - 1})]" if c.layers > 1 else ""
        lines = [f"self.cells = nn.ModuleList([nn.RNNCell({width}, {c.hidden})]{more})  # one cell per layer"]
        inner = between_layers(c.dropout, c.layers)
        if inner:
            lines.append(f"self.between = nn.Dropout({inner!r})  # between layers, while training")
        return lines

    def export_forward(self, config: Any, inputs: str, scores: str) -> str:
        inner = between_layers(config.dropout, config.layers)
        between = "self.between(states[i]) if i < len(self.cells) - 1 else states[i]" if inner else "states[i]"
        return fill(FORWARD, inputs=inputs, hidden=config.hidden, between=between, scores=scores)
