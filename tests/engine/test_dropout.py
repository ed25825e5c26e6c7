"""Dropout: refused outside [0, 0.99] in one line, active while training, never while scoring or predicting."""

import math

import pytest
import torch

import engine
from tests.engine.cli_helpers import one_error_line, rnnplay


@pytest.mark.parametrize("value", [-0.1, 1.0, 1.5, math.nan, math.inf, "0.1", True, None])
def test_dropout_outside_zero_to_0_99_names_the_field_and_the_range(value):
    with pytest.raises(engine.ConfigError) as info:
        engine.presets.get("completion").replace(dropout=value)
    assert info.value.field == "dropout" and "\n" not in str(info.value)
    if isinstance(value, float) and math.isfinite(value):
        assert "accepted: from 0.0 to 0.99" in str(info.value)


@pytest.mark.parametrize("value", [0.0, 0.5, 0.99])
def test_dropout_in_range_is_accepted(value):
    assert engine.presets.get("completion").replace(dropout=value).dropout == value


@pytest.mark.parametrize("text", ["1", "-0.5", "nan", "lots"])
def test_the_cli_refuses_bad_dropout_in_one_line(text):
    result = rnnplay("train", "--preset", "completion", "--dropout", text, "--steps", "1", "--device", "cpu")
    assert result.returncode == 2 and result.stdout == ""
    assert "dropout" in one_error_line(result.stderr)


def test_dropout_acts_while_training_and_not_while_scoring_or_predicting(tmp_path):
    path = tmp_path / "text.txt"
    path.write_text("the quick brown fox jumps over the lazy dog. " * 60)
    cfg = engine.presets.get("completion").replace(corpus=str(path), device="cpu", hidden=32, embedding=8,
                                                   batch_size=4, length=16, steps=2, eval_every=2, dropout=0.5)
    trainer = engine.Trainer(cfg)
    list(trainer.run())
    x = trainer.task.eval_x[:4].long()
    trainer.model.train()
    with torch.no_grad():
        assert not torch.equal(trainer.model(x)[0], trainer.model(x)[0])  # two masks, two answers
    trainer.model.eval()
    first = trainer._evaluate()
    assert trainer._evaluate().loss == first.loss  # the held-out score is deterministic
    assert trainer.model.training  # and training resumes with dropout on
    assert len({trainer.predict("the quick", length=40) for _ in range(3)}) == 1
