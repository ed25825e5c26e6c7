"""rnncell (engine/cells/rnncell.py): nn.RNNCell stepped by hand is the loop nn.RNN runs, with nn.RNN's
state layout, and its exported script adds dropout between layers only when asked."""

from types import SimpleNamespace

import torch

from engine import cells


def test_the_hand_stepped_loop_equals_nn_rnn_with_the_same_weights():
    torch.manual_seed(0)
    loop = cells.get("rnncell").build(3, 4, 2, 0.0)
    fused = torch.nn.RNN(3, 4, 2, batch_first=True)
    with torch.no_grad():
        for layer, cell in enumerate(loop.cells):
            for part in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
                getattr(fused, f"{part}_l{layer}").copy_(getattr(cell, part))
        x = torch.randn(2, 6, 3)
        for state in (None, torch.randn(2, 2, 4)):  # a fresh start and a carried (layers, batch, hidden) state
            torch.testing.assert_close(loop(x, state), fused(x, state))


def test_the_stated_parameter_shapes_are_the_built_loops():
    cell = cells.get("rnncell")
    loop = cell.build(5, 7, 3, 0.0)
    assert sorted((n, tuple(p.shape)) for n, p in loop.named_parameters()) == sorted(cell.parameter_shapes(5, 7, 3))


def test_the_exported_loop_has_dropout_between_layers_only_when_asked():
    cell = cells.get("rnncell")
    one = SimpleNamespace(dropout=0.3, layers=1, hidden=8)
    two = SimpleNamespace(dropout=0.3, layers=2, hidden=8)
    assert not any("Dropout" in line for line in cell.export_init(one, 4))
    assert "self.between = nn.Dropout(0.3)" in "\n".join(cell.export_init(two, 4))
    assert "self.between(" in cell.export_forward(two, "x", "self.head(out)")
    assert "self.between(" not in cell.export_forward(one, "x", "self.head(out)")
