"""SequenceModel (engine/models.py): shapes, parameters counted by arithmetic, generation and sampling."""

import subprocess
import sys

import pytest
import torch

import engine
from engine import cells, models
from engine.config import ConfigError, TrainConfig
from engine.models import GenerationError, SequenceModel, generate


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


# Sampling a completion: any positive temperature works, and a broken model says so in one line.
@pytest.fixture(scope="module")
def model():
    torch.manual_seed(0)
    return SequenceModel(12, cell="lstm", hidden=16, embedding=8).eval()


@pytest.mark.parametrize("temperature", [1e-300, 5e-324, 1e-30, 1e-6])
def test_a_tiny_temperature_samples_like_greedy(model, temperature):
    gen = torch.Generator().manual_seed(1)
    assert generate(model, [1, 2, 3], 40, temperature, gen) == generate(model, [1, 2, 3], 40, 0.0)


def test_a_huge_temperature_samples_every_symbol_evenly(model):
    gen = torch.Generator().manual_seed(1)
    out = generate(model, [1], 1200, 1e300, gen)
    assert set(out) == set(range(12)) and max(out.count(i) for i in range(12)) < 200


def test_sampling_follows_the_model_at_temperature_one(model):
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        probs = torch.softmax(model(torch.tensor([[5]]))[0][0, -1], -1)
    firsts = [generate(model, [5], 1, 1.0, gen)[0] for _ in range(3000)]
    favourite = int(probs.argmax())
    assert firsts.count(favourite) / 3000 == pytest.approx(float(probs[favourite]), abs=0.04)


@pytest.mark.parametrize("temperature", [0.0, 1.0, 1e-300])
def test_a_model_with_non_finite_weights_raises_one_clear_error(model, temperature):
    broken = SequenceModel(12, cell="lstm", hidden=16, embedding=8).eval()
    broken.load_state_dict(model.state_dict())
    with torch.no_grad():
        broken.head.bias[3] = float("inf")
    with pytest.raises(GenerationError, match="not a finite number") as info:
        generate(broken, [1, 2], 5, temperature, torch.Generator().manual_seed(0))
    assert isinstance(info.value, ValueError) and "\n" not in str(info.value)


# Parameters counted by arithmetic: the shapes each cell states are the built model's, so size checks and
# checkpoint reading build nothing (building on the meta device imported torch._dynamo: ~1 CPU-s a load).
@pytest.mark.parametrize("name", cells.names())
@pytest.mark.parametrize("layers", [1, 2, 3])
@pytest.mark.parametrize("embedding", [0, 5])
@pytest.mark.parametrize("head", ["linear", "none"])
def test_the_counted_shapes_are_the_built_models_for_every_cell(name, layers, embedding, head):
    vocab = 7  # head none: the hidden state is the scores, so hidden = vocabulary
    config = TrainConfig(cell=name, layers=layers, embedding=embedding, head=head, hidden=7 if head == "none" else 6)
    model = models.build(config, vocab)
    built = [(n, tuple(p.shape)) for n, p in model.named_parameters()]
    assert models.parameter_shapes(config, vocab) == built
    assert [(n, tuple(t.shape)) for n, t in model.state_dict().items()] == built  # no buffers the count misses
    assert models.check_size(config, vocab) == sum(p.numel() for p in model.parameters())
    core = cells.get(name).parameter_count(embedding or vocab, config.hidden, layers)
    assert core == sum(p.numel() for p in model.core.parameters())


def test_size_checks_refuse_by_name_without_building():
    with pytest.raises(ConfigError, match="hidden must equal the vocabulary size") as caught:
        models.check_size(TrainConfig(head="none", hidden=8), 9)
    assert caught.value.field == "hidden"
    with pytest.raises(ConfigError, match="parameters; at most 200,000,000") as caught:
        models.check_size(TrainConfig(cell="lstm", hidden=8192, layers=16), 30)
    assert caught.value.field == "hidden"


def test_loading_and_predicting_an_embedding_model_never_imports_torch_dynamo(tmp_path):
    import engine

    trainer = engine.Trainer(engine.presets.get("caesar").replace(device="cpu", steps=1, hidden=8))
    list(trainer.run())
    path = tmp_path / "c.safetensors"
    trainer.save(str(path))
    code = (f"import sys, engine\nm = engine.load({str(path)!r})\nm.predict('URYYB')\n"
            "print('torch._dynamo' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert done.stdout.strip() == "False"


def test_an_absurd_model_is_refused_before_allocating():
    with pytest.raises(engine.ConfigError, match="would have .* parameters"):
        engine.Trainer(engine.presets.get("caesar").replace(device="cpu", hidden=8192, layers=16))
