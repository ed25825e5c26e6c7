"""The LSTM (engine/cells/lstm.py) option the memory presets use: a forget-gate bias at initialisation, set
exactly, kept by checkpoints."""

import math

import pytest
import torch

import engine
from engine import models
from engine.config import ConfigError

HIDDEN = 12


def lstm(**kw):
    config = engine.TrainConfig(task="echo", cell="lstm", hidden=HIDDEN, embedding=4, device="cpu", **kw)
    torch.manual_seed(0)
    return config, models.build(config, 9)


@pytest.mark.parametrize("layers", [1, 3])
def test_every_layer_starts_its_forget_gate_at_the_bias_and_nothing_else_moves(layers):
    _, plain = lstm(layers=layers)
    _, biased = lstm(layers=layers, forget_bias=1.0)
    gate = slice(HIDDEN, 2 * HIDDEN)  # PyTorch's gate order: input, forget, cell, output
    for layer in range(layers):
        ih, hh = (getattr(biased.core, f"bias_{kind}_l{layer}") for kind in ("ih", "hh"))
        assert torch.equal(ih[gate] + hh[gate], torch.ones(HIDDEN))
    changed = {name for (name, a), (_, b) in zip(plain.named_parameters(), biased.named_parameters(), strict=True)
               if not torch.equal(a, b)}
    assert changed == {f"core.bias_{kind}_l{layer}" for kind in ("ih", "hh") for layer in range(layers)}
    for (name, a), (_, b) in zip(plain.named_parameters(), biased.named_parameters(), strict=True):
        if name.startswith("core.bias"):  # only the forget slice differs
            assert torch.equal(torch.cat([a[:HIDDEN], a[2 * HIDDEN:]]), torch.cat([b[:HIDDEN], b[2 * HIDDEN:]]))


def forget_gate_at_the_first_step(model) -> torch.Tensor:
    """The forget gate's mean activation reading a blank with a zero state, as the first step does."""
    core, x = model.core, model.encode_input(torch.zeros(1, dtype=torch.long))[0]
    gates = core.weight_ih_l0 @ x + core.bias_ih_l0 + core.bias_hh_l0
    return torch.sigmoid(gates[HIDDEN:2 * HIDDEN]).mean()


def test_a_fresh_model_keeps_about_three_quarters_of_its_cell_state_instead_of_half():
    assert forget_gate_at_the_first_step(lstm(forget_bias=1.0)[1]) > 0.65
    assert forget_gate_at_the_first_step(lstm()[1]) < 0.6


@pytest.mark.parametrize("cell", ["rnn", "gru", "rnncell"])
def test_other_cells_ignore_it_so_one_base_config_can_race_every_cell(cell):
    config = engine.TrainConfig(task="echo", cell=cell, hidden=HIDDEN, embedding=4, forget_bias=1.0)
    torch.manual_seed(0)
    biased = models.build(config, 9)
    torch.manual_seed(0)
    plain = models.build(config.replace(forget_bias=0.0), 9)
    assert all(torch.equal(a, b) for a, b in zip(plain.parameters(), biased.parameters(), strict=True))


@pytest.mark.parametrize("value", [math.nan, math.inf, 11.0, "1", True])
def test_a_bad_forget_bias_is_refused_by_name(value):
    with pytest.raises(ConfigError) as caught:
        engine.TrainConfig(cell="lstm", forget_bias=value)
    assert caught.value.field == "forget_bias"


def test_a_checkpoint_keeps_the_setting_and_an_old_checkpoint_without_it_loads(tmp_path):
    config = engine.TrainConfig(task="echo", cell="lstm", hidden=HIDDEN, embedding=4, steps=2, device="cpu",
                                forget_bias=1.0)
    trainer = engine.Trainer(config)
    list(trainer.run())
    path = tmp_path / "echo.safetensors"
    trainer.save(str(path))
    assert engine.load(str(path)).config.forget_bias == 1.0
    old = config.to_dict()
    del old["forget_bias"]  # what a checkpoint written before the field existed holds
    assert engine.TrainConfig.from_dict(old).forget_bias == 0.0


def test_the_cli_refuses_a_forget_bias_for_a_cell_without_a_forget_gate():
    from tests.engine.cli_helpers import rnnplay

    done = rnnplay("train", "--task", "echo", "--cell", "gru", "--forget-bias", "1", "--steps", "2")
    assert done.returncode == 2 and done.stdout == ""
    line = "rnnplay: error: --forget-bias: only an LSTM has a forget gate (use it with --cell lstm)"
    assert done.stderr.strip() == line
