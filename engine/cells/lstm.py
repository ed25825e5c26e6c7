"""lstm: PyTorch's fused nn.LSTM, which carries a cell state beside the hidden state, and its forget-gate bias."""

from __future__ import annotations

from typing import Any

from engine.cells.base import HIDDEN, StatePart
from engine.cells.fused import FusedCell

CELL = StatePart("cell", "c", bounded=False)  # a running sum of gated inputs: not squashed, often past +-1


class LSTM(FusedCell):
    name = "lstm"
    summary = "nn.LSTM: input, forget and output gates around a cell state, fused over the sequence"
    module = "LSTM"
    gates = 4  # input, forget, cell, output: PyTorch's order
    state_parts = (HIDDEN, CELL)
    options = {"forget_bias": "only an LSTM has a forget gate (use it with --cell lstm)"}

    def split_state(self, state: Any) -> tuple[Any, ...]:
        hidden, cell = state
        return hidden, cell

    def state_note(self) -> str:
        return " x2 (h, c)"

    def initialise(self, core: Any, config: Any) -> None:
        if config.forget_bias:
            set_forget_bias(core, config.forget_bias)

    def export_init(self, config: Any, width: int | str) -> list[str]:
        c, lines = config, super().export_init(config, width)
        if c.forget_bias:
            lines += [f"with torch.no_grad():  # forget gates start at sigmoid({c.forget_bias!r}): memory carries over",
                      f"    for layer in range({c.layers}):  # gate order i, f, g, o; the value goes in bias_ih",
                      f"        gate = slice({c.hidden}, {2 * c.hidden})",
                      f"        getattr(self.rnn, f'bias_ih_l{{layer}}')[gate] = {c.forget_bias!r}",
                      "        getattr(self.rnn, f'bias_hh_l{layer}')[gate] = 0.0"]
        return lines


def set_forget_bias(lstm: Any, value: float) -> None:
    """Start every layer's forget gate at sigmoid(value): with 1, about 0.73 of the cell state carries over,
    so gradients reach far back from the first step (Gers et al. 2000; Jozefowicz et al. 2015).
    PyTorch adds two biases per gate (gate order i, f, g, o): the whole value goes in bias_ih."""
    import torch

    size = lstm.hidden_size
    with torch.no_grad():
        for layer in range(lstm.num_layers):
            getattr(lstm, f"bias_ih_l{layer}")[size:2 * size] = value
            getattr(lstm, f"bias_hh_l{layer}")[size:2 * size] = 0.0
