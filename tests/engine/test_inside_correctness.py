"""Inside tells the truth: connectivity points where a trained model really looks, and the states are
the ones the cell equations give with the model's own weights."""

import pytest
import torch

import engine
from engine import cells
from engine.inside import inspect

PLAIN = "THE QUICK BROWN FOX JUMPS OVER"
STREAM = "ABHCDEFGHABCDEHGFEDCBAHGFEDCBA"


def trained(preset, **kw):
    """A small model trained on one thread in a few seconds (fp32: the same numbers on every machine)."""
    torch.set_num_threads(1)
    steps = kw.pop("steps")
    config = engine.presets.get(preset).replace(device="cpu", precision="fp32", steps=steps, eval_every=steps,
                                                log_every=steps, schedule="constant", warmup=0.0, until=0.0, **kw)
    trainer = engine.Trainer(config)
    for _ in trainer.run():
        pass
    return trainer


@pytest.mark.parametrize("cell", cells.names())  # every registered cell: a new one is held to it too
def test_each_caesar_output_depends_on_its_own_input(cell):
    trainer = trained("caesar", cell=cell, hidden=32, batch_size=32, length=16, steps=150)
    cipher = engine.tasks.caesar.encrypt(PLAIN)
    inside = trainer.inspect(cipher)
    assert "".join(top[0]["symbol"] for top in inside.top) == inside.target  # it learned the cipher
    for t, row in enumerate(inside.connectivity):
        assert row[t] >= 0.9, f"output {t} puts {row[t]:.2f} of its dependence on its own input"


def test_each_echo_output_depends_on_the_input_delay_positions_back():
    delay = 3
    trainer = trained("echo", cell="gru", delay=delay, hidden=64, batch_size=32, length=24, lr=0.01, steps=200)
    inside = trainer.inspect(STREAM)
    assert "".join(top[0]["symbol"] for top in inside.top) == inside.target
    for t in range(delay, len(STREAM)):
        row = inside.connectivity[t]
        assert row[t - delay] >= 0.9, f"output {t} puts {row[t - delay]:.2f} on input {t - delay}"


def test_an_output_that_nothing_moves_spreads_evenly_instead_of_dividing_by_zero():
    trainer = engine.Trainer(engine.presets.get("caesar").replace(device="cpu", precision="fp32"))
    with trainer.snapshot() as model:
        torch.nn.init.zeros_(model.head.weight)  # every score is the bias: no input changes any output
        inside = inspect(model, trainer.task, "ABCD")
    assert inside.connectivity[3] == pytest.approx([0.25] * 4)
    assert inside.connectivity[1] == pytest.approx([0.5, 0.5, 0, 0])


def _layers(model, task, text):
    ids = torch.tensor(task.vocab.encode(text))
    return model.embed(ids).detach(), model.core


def _gates(x, h, core, layer):
    w_ih, w_hh = getattr(core, f"weight_ih_l{layer}"), getattr(core, f"weight_hh_l{layer}")
    b_ih, b_hh = getattr(core, f"bias_ih_l{layer}"), getattr(core, f"bias_hh_l{layer}")
    return w_ih @ x + b_ih, w_hh @ h + b_hh


def _rnn_step(x, state, core, layer):
    gi, gh = _gates(x, state[0], core, layer)
    return (torch.tanh(gi + gh),)


def _gru_step(x, state, core, layer):
    gi, gh = _gates(x, state[0], core, layer)
    (ri, zi, ni), (rh, zh, nh) = gi.chunk(3), gh.chunk(3)
    r, z = torch.sigmoid(ri + rh), torch.sigmoid(zi + zh)
    n = torch.tanh(ni + r * nh)
    return ((1 - z) * n + z * state[0],)


def _lstm_step(x, state, core, layer):
    h, c = state
    gi, gh = _gates(x, h, core, layer)
    i, f, g, o = (gi + gh).chunk(4)
    c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c


@pytest.mark.parametrize("cell, step", [("rnn", _rnn_step), ("gru", _gru_step), ("lstm", _lstm_step)])
def test_hidden_and_cell_states_of_every_layer_match_a_hand_computation(cell, step):
    trainer = engine.Trainer(engine.presets.get("hello-embedding-lesson").replace(device="cpu", cell=cell))
    with trainer.snapshot() as model, torch.no_grad():
        inside = inspect(model, trainer.task, "hello")
        xs, core = _layers(model, trainer.task, "hello")
        states = [(torch.zeros(8),) * (2 if cell == "lstm" else 1) for _ in range(2)]  # (h,) or (h, c)
        for t, x in enumerate(xs):
            for layer in range(2):
                states[layer] = step(x, states[layer], core, layer)
                x = states[layer][0]
                assert inside.hidden[layer][t] == pytest.approx(x.tolist(), abs=1e-5)
                if cell == "lstm":
                    assert inside.states["cell"][layer][t] == pytest.approx(states[layer][1].tolist(), abs=1e-5)
    assert ("cell" in inside.states) == (cell == "lstm")
