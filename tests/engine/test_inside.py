"""engine.inside.inspect: states per layer and position, top candidates, connectivity rows."""

import pytest
import torch

import engine
from engine import cells
from engine.inside import MAX_LENGTH, inspect


def built(name, **kw):
    trainer = engine.Trainer(engine.presets.get(name).replace(device="cpu", **kw))
    with trainer.snapshot() as model:
        return model, trainer.task


def test_hidden_states_of_a_hand_stepped_cell_match_a_hand_computation():
    model, task = built("hello-rnncell-lesson")
    inside = inspect(model, task, "hello")
    cell = model.core.cells[0]
    h = torch.zeros(4)
    for t, ch in enumerate("hello"):
        x = torch.nn.functional.one_hot(torch.tensor(task.vocab.encode(ch)[0]), 4).float()
        h = torch.tanh(cell.weight_ih @ x + cell.bias_ih + cell.weight_hh @ h + cell.bias_hh)
        assert inside.hidden[0][t] == pytest.approx(h.tolist(), abs=1e-6)


@pytest.mark.parametrize("cell, has_cell_state", [("rnncell", False), ("rnn", False), ("lstm", True), ("gru", False)])
def test_every_cell_gives_states_per_layer_and_position_and_only_lstm_a_cell_state(cell, has_cell_state):
    model, task = built("hello-embedding-lesson", cell=cell)
    inside = inspect(model, task, "hello")
    assert len(inside.hidden) == 2 and len(inside.hidden[0]) == 5 and len(inside.hidden[0][0]) == 8
    assert ("cell" in inside.states) == has_cell_state
    assert inside.target == "ohlol" and len(inside.target_p) == 5


def test_connectivity_rows_are_causal_shares_and_top_candidates_are_sorted():
    model, task = built("caesar")
    inside = inspect(model, task, "attack at dawn")
    assert inside.text == "ATTACK-AT-DAWN" and inside.target == engine.tasks.caesar.decrypt("attack at dawn")
    for t, row in enumerate(inside.connectivity):
        assert sum(row) == pytest.approx(1.0, abs=1e-5)
        assert all(v == 0 for v in row[t + 1:])
    for candidates in inside.top:
        ps = [c["p"] for c in candidates]
        assert ps == sorted(ps, reverse=True) and len(ps) == 3 and 0 <= sum(ps) <= 1.0001


@pytest.mark.parametrize("name, cell", [("hello-rnncell-lesson", "rnncell"), ("hello-embedding-lesson", "rnn"),
                                        ("hello-embedding-lesson", "lstm"), ("caesar", "gru")])
def test_the_gradient_rows_are_each_outputs_gradient_norm_per_input_as_autograd_gives_it(name, cell):
    """The issue's measure, asked for: row t is |d log p_t(chosen) / d input s|, normalised; checked against
    one plain backward pass per output, for every cell (one-hot and embedding inputs)."""
    model, task = built(name, cell=cell)
    text = "hello" if name.startswith("hello") else "ATTACK-AT-DAWN"
    for p in model.parameters():  # as in a loaded checkpoint, whose weights could collect a .grad
        p.requires_grad_(True)
    inside = inspect(model, task, text, gradient=True)
    assert all(p.grad is None for p in model.parameters())  # inspecting leaves the weights' .grad alone
    assert inspect(model, task, text).gradient is None  # the app's inspections leave it out
    inputs = model.encode_input(torch.tensor([task.vocab.encode(text)])).float().detach()
    chosen = [task.vocab.encode(row[0]["symbol"])[0] for row in inside.top]
    for t in range(len(text)):
        x = inputs.clone().requires_grad_(True)
        out, _ = model.core(x)
        logits = model.head(out) if model.head is not None else out
        torch.log_softmax(logits, -1)[0, t, chosen[t]].backward()
        norms = x.grad[0].norm(dim=1)
        assert inside.gradient[t] == pytest.approx((norms / norms.sum()).tolist(), abs=1e-5)
        assert all(v == 0 for v in inside.gradient[t][t + 1:])


def test_too_long_or_empty_text_is_one_clear_error():
    model, task = built("caesar")
    with pytest.raises(ValueError, match=f"at most {MAX_LENGTH}"):
        inspect(model, task, "A" * (MAX_LENGTH + 1))
    with pytest.raises(ValueError, match="nothing to inspect"):
        inspect(model, task, "")


def test_completion_targets_are_the_next_characters():
    model, task = built("sentences-lesson")
    inside = inspect(model, task, "good i")
    assert inside.target == "ood i" and inside.target_p[-1] is None


def test_a_character_the_task_does_not_accept_is_refused_in_plays_words():
    """Inside asks the task, as Play and `rnnplay predict` do: no vocabulary error with other words."""
    from engine import tasks

    trainer = engine.Trainer(engine.presets.get("hello").replace(device="cpu", steps=1))
    with pytest.raises(ValueError) as refused:
        trainer.inspect("hex2")
    assert str(refused.value) == tasks.task_class("mapping").refused(trainer.config, trainer.vocab, "hex2")
    assert str(refused.value).startswith("'x', '2' not accepted: type the pairs' characters")


# Inside tells the truth: connectivity points where a trained model really looks, and the states are
# the ones the cell equations give with the model's own weights.
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
