"""Parameters counted by arithmetic: the shapes each cell states are the built model's, so size checks and
checkpoint reading build nothing (building on the meta device imported torch._dynamo: ~1 CPU-s a load)."""

import subprocess
import sys

import pytest

from engine import cells, models
from engine.config import ConfigError, TrainConfig


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
