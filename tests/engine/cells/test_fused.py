"""What the fused cells share (engine/cells/fused.py): the parameters they state are the built module's, in
its order, and dropout sits between layers only, in the built module and in the exported script."""

from types import SimpleNamespace

import pytest

from engine import cells
from engine.cells.fused import FusedCell

FUSED = [name for name in cells.names() if isinstance(cells.get(name), FusedCell)]


def config(layers: int) -> SimpleNamespace:
    return SimpleNamespace(dropout=0.3, layers=layers, hidden=8, forget_bias=0.0)


def test_the_fused_cells_are_rnn_lstm_and_gru():
    assert sorted(FUSED) == ["gru", "lstm", "rnn"]


@pytest.mark.parametrize("name", FUSED)
@pytest.mark.parametrize("layers", [1, 3])
def test_the_stated_parameter_shapes_are_the_built_modules_in_order(name, layers):
    cell = cells.get(name)
    module = cell.build(5, 7, layers, 0.0)
    assert [(n, tuple(p.shape)) for n, p in module.named_parameters()] == cell.parameter_shapes(5, 7, layers)
    assert module.weight_hh_l0.shape[0] == cell.gates * 7 and module.batch_first


@pytest.mark.parametrize("name", FUSED)
def test_dropout_sits_between_layers_only(name):
    cell = cells.get(name)
    assert cell.export_init(config(1), 4) == [f"self.rnn = nn.{cell.module}(4, 8, 1, batch_first=True)"]
    assert cell.export_init(config(2), 4) == [f"self.rnn = nn.{cell.module}(4, 8, 2, batch_first=True, dropout=0.3)"]
    assert cell.build(4, 8, 2, 0.3).dropout == 0.3


@pytest.mark.parametrize("name", FUSED)
def test_the_lesson_line_gives_the_output_and_state_shapes(name):
    line = cells.get(name).shapes(2, 5, 4, 8, 3)[0]
    assert line.startswith(f"{cells.get(name).module} output (2, 5, 8), h0/h_n (3, 2, 8)")
