"""FusedCell: what PyTorch's fused recurrent modules (nn.RNN, nn.LSTM, nn.GRU) have in common.

Each runs the whole sequence in one call (cuDNN on a GPU), batch_first, with dropout between layers.
Its parameters per layer are weight_ih (gates x hidden, input), weight_hh (gates x hidden, hidden),
bias_ih and bias_hh (gates x hidden), in that order: the subclasses differ in their gate count, their
state and their lesson line.
"""

from __future__ import annotations

from typing import Any, ClassVar

from engine.cells.base import Cell, between_layers, fill

FORWARD = '''
    def forward(self, x, state=None):
        """x: (batch, seq) of symbol ids -> scores (batch, seq, vocabulary) and the final state."""
        out, state = self.rnn($inputs, state)  # out: (batch, seq, hidden), every position's top layer
        return $scores, state
'''


class FusedCell(Cell):
    module: ClassVar[str]  # the torch.nn class: "RNN", "LSTM", "GRU"
    gates: ClassVar[int]  # blocks of `hidden` rows in each weight: 1, 4 (i, f, g, o), 3 (r, z, n)
    parallel_in_time = False  # fused, but still one step after another inside the kernel

    def build(self, input_size: int, hidden: int, layers: int, dropout: float) -> Any:
        from torch import nn

        return getattr(nn, self.module)(input_size, hidden, layers, batch_first=True, dropout=dropout)

    def parameter_shapes(self, input_size: int, hidden: int, layers: int) -> list[tuple[str, tuple[int, ...]]]:
        rows, shapes = self.gates * hidden, []
        for layer, size in enumerate([input_size] + [hidden] * (layers - 1)):
            shapes += [(f"weight_ih_l{layer}", (rows, size)), (f"weight_hh_l{layer}", (rows, hidden)),
                       (f"bias_ih_l{layer}", (rows,)), (f"bias_hh_l{layer}", (rows,))]
        return shapes

    def shapes(self, batch: int, seq: int, input_size: int, hidden: int, layers: int) -> tuple[str, ...]:
        state = f"({layers}, {batch}, {hidden})"
        return (f"{self.module} output ({batch}, {seq}, {hidden}), h0/h_n {state}{self.state_note()}",)

    def state_note(self) -> str:
        """What follows the state's shape in the lesson line (an LSTM carries two)."""
        return ""

    def export_init(self, config: Any, width: int | str) -> list[str]:
        c = config
        inner = between_layers(c.dropout, c.layers)
        drop = f", dropout={inner!r}" if inner else ""
        return [f"self.rnn = nn.{self.module}({width}, {c.hidden}, {c.layers}, batch_first=True{drop})"]

    def export_forward(self, config: Any, inputs: str, scores: str) -> str:
        return fill(FORWARD, inputs=inputs, scores=scores)
