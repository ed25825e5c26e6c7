import pytest
import torch

from engine import cells
from engine.models import SequenceModel, generate


@pytest.mark.parametrize("cell", cells.names())
@pytest.mark.parametrize("embedding", [0, 6])
@pytest.mark.parametrize("layers", [1, 2])
def test_logits_are_batch_seq_vocab_for_every_cell(cell, embedding, layers):
    model = SequenceModel(11, cell=cell, hidden=9, layers=layers, embedding=embedding)
    logits, hidden = model(torch.randint(0, 11, (3, 7)))
    assert logits.shape == (3, 7, 11)
    parts = cells.get(cell).split_state(hidden)
    assert len(parts) == len(cells.get(cell).state_parts) and all(p.shape == (layers, 3, 9) for p in parts)


def test_head_none_uses_the_hidden_state_as_scores():
    model = SequenceModel(4, cell="rnncell", hidden=4, head="none")
    logits, hidden = model(torch.tensor([[1, 0, 2, 2, 3]]))
    assert torch.equal(logits[0, -1], hidden[-1, 0])


def test_head_none_needs_hidden_equal_to_vocabulary():
    with pytest.raises(ValueError, match="hidden must equal the vocabulary size"):
        SequenceModel(4, cell="rnn", hidden=8, head="none")


def test_cell_loop_matches_the_fused_rnn_with_the_same_weights():
    loop = SequenceModel(5, cell="rnncell", hidden=6, layers=2)
    fused = SequenceModel(5, cell="rnn", hidden=6, layers=2)
    for i, cell in enumerate(loop.core.cells):
        for a, b in (("weight_ih", "weight_ih_l"), ("weight_hh", "weight_hh_l"), ("bias_ih", "bias_ih_l"),
                     ("bias_hh", "bias_hh_l")):
            getattr(fused.core, f"{b}{i}").data.copy_(getattr(cell, a).data)
    fused.head.load_state_dict(loop.head.state_dict())
    x = torch.randint(0, 5, (2, 8))
    assert torch.allclose(loop(x)[0], fused(x)[0], atol=1e-6)


def test_generation_carries_state_like_feeding_the_whole_string():
    torch.manual_seed(0)
    model = SequenceModel(7, cell="gru", hidden=8).eval()
    prefix = [1, 2, 3]
    ids = generate(model, prefix, 5)
    for i, nxt in enumerate(ids):  # the lesson's way: re-run the whole string each time
        logits, _ = model(torch.tensor([prefix + ids[:i]]))
        assert int(logits[0, -1].argmax()) == nxt


def test_shapes_describe_the_lesson_tensors():
    lines = SequenceModel(4, cell="rnn", hidden=4, head="none").shapes(1, 5)
    assert lines[0] == "input ids (1, 5) -> one-hot (1, 5, 4)"
    assert "h0/h_n (1, 1, 4)" in lines[1]
