"""rnn (engine/cells/rnn.py): nn.RNN's plain recurrence h = tanh(W_ih x + b_ih + W_hh h + b_hh), one gate,
its state the hidden state alone."""

import torch

from engine import cells


def test_the_built_module_steps_the_plain_recurrence():
    torch.manual_seed(0)
    module = cells.get("rnn").build(3, 4, 1, 0.0)
    x = torch.randn(2, 5, 3)
    with torch.no_grad():
        out, h_n = module(x)
        h = torch.zeros(2, 4)
        for t in range(5):
            h = torch.tanh(x[:, t] @ module.weight_ih_l0.T + module.bias_ih_l0
                           + h @ module.weight_hh_l0.T + module.bias_hh_l0)
            torch.testing.assert_close(out[:, t], h)
    torch.testing.assert_close(h_n[0], h)


def test_one_gate_and_the_hidden_state_is_the_whole_state():
    cell = cells.get("rnn")
    state = torch.zeros(2, 3, 4)
    assert cell.gates == 1 and [part.name for part in cell.state_parts] == ["hidden"]
    assert len(cell.split_state(state)) == 1 and cell.split_state(state)[0] is state
