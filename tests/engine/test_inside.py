"""engine.inside.inspect: states per layer and position, top candidates, connectivity rows."""

import pytest
import torch

import engine
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
