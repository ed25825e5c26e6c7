"""gru (engine/cells/gru.py): nn.GRU, whose reset and update gates blend the old hidden state with a new one;
three gates (r, z, n in that order), its state the hidden state alone."""

import torch

from engine import cells


def test_the_built_module_blends_old_and_new_state_with_its_gates():
    torch.manual_seed(0)
    module = cells.get("gru").build(3, 4, 1, 0.0)
    x = torch.randn(2, 5, 3)
    w_ir, w_iz, w_in = module.weight_ih_l0.chunk(3)
    w_hr, w_hz, w_hn = module.weight_hh_l0.chunk(3)
    b_ir, b_iz, b_in = module.bias_ih_l0.chunk(3)
    b_hr, b_hz, b_hn = module.bias_hh_l0.chunk(3)
    with torch.no_grad():
        out, h_n = module(x)
        h = torch.zeros(2, 4)
        for t in range(5):
            xt = x[:, t]
            r = torch.sigmoid(xt @ w_ir.T + b_ir + h @ w_hr.T + b_hr)
            z = torch.sigmoid(xt @ w_iz.T + b_iz + h @ w_hz.T + b_hz)
            n = torch.tanh(xt @ w_in.T + b_in + r * (h @ w_hn.T + b_hn))
            h = (1 - z) * n + z * h
            torch.testing.assert_close(out[:, t], h)
    torch.testing.assert_close(h_n[0], h)


def test_three_gates_and_the_hidden_state_is_the_whole_state():
    cell = cells.get("gru")
    state = torch.zeros(1, 3, 4)
    assert cell.gates == 3 and [part.name for part in cell.state_parts] == ["hidden"]
    assert cell.split_state(state)[0] is state and len(cell.split_state(state)) == 1
