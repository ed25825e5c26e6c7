"""The Cell interface: a cell missing any part of it is refused by name when registered, and every
registered cell keeps the contract its consumers rely on (state parts, shapes, export section)."""

import pytest
import torch

from engine import cells
from engine.cells import HIDDEN, Cell, StatePart
from engine.cells.gru import GRU
from engine.config import TrainConfig


def toy_members() -> dict:
    """Everything a Cell must define, as a toy with a hidden state only."""
    return {"name": "toy", "summary": "a toy", "state_parts": (HIDDEN,), "parallel_in_time": False,
            "build": lambda self, input_size, hidden, layers, dropout: None,
            "split_state": lambda self, state: (state,),
            "parameter_shapes": lambda self, input_size, hidden, layers: [],
            "shapes": lambda self, batch, seq, input_size, hidden, layers: (),
            "export_init": lambda self, config, width: [],
            "export_forward": lambda self, config, inputs, scores: ""}


def registered(members: dict):
    """Register a class made of `members`, and remove it again."""
    cls = type("Toy", (Cell,), members)
    try:
        cells.register(cls)
    finally:
        if members.get("name") in cells.names():
            cells.unregister(members["name"])


def test_the_toy_has_every_abstract_member_and_registers():
    assert Cell.__abstractmethods__ <= set(toy_members())
    registered(toy_members())


@pytest.mark.parametrize("missing", sorted(Cell.__abstractmethods__))
def test_a_cell_missing_any_abstract_member_is_refused_naming_it(missing):
    members = toy_members()
    del members[missing]
    before = cells.names()
    with pytest.raises(TypeError, match=missing):
        registered(members)
    assert cells.names() == before


def test_a_cell_with_options_must_apply_them():
    with pytest.raises(ValueError, match="reads forget_bias but does not override initialise"):
        registered({**toy_members(), "options": {"forget_bias": "only the toy has it"}})


@pytest.mark.parametrize("parts, problem", [
    ((StatePart("cell", "c", bounded=False),), "hidden state first"),
    ((), "hidden state first"),
    ((HIDDEN, StatePart("carry", "h", bounded=False)), "share the key"),
    ((HIDDEN, StatePart("hidden", "x", bounded=True)), "share the name"),
])
def test_state_parts_start_with_the_hidden_state_and_are_told_apart(parts, problem):
    with pytest.raises(ValueError, match=problem):
        registered({**toy_members(), "state_parts": parts})


@pytest.mark.parametrize("name", cells.names())
@pytest.mark.parametrize("layers", [1, 2])
def test_every_cell_splits_its_state_into_its_parts_each_layers_batch_hidden(name, layers):
    cell = cells.get(name)
    core = cell.build(5, 7, layers, 0.0)
    out, state = core(torch.randn(3, 4, 5))
    assert out.shape == (3, 4, 7)
    parts = cell.split_state(state)
    assert len(parts) == len(cell.state_parts) and cell.state_parts[0].name == "hidden"
    assert all(part.shape == (layers, 3, 7) for part in parts)
    assert torch.equal(parts[0][-1], out[:, -1])  # the top layer's last hidden state is its last output
    again, _ = core(torch.randn(3, 2, 5), state)  # the state goes back in as it came out
    assert again.shape == (3, 2, 7)


@pytest.mark.parametrize("name", cells.names())
def test_every_cell_says_whether_it_trains_in_parallel_and_has_a_summary(name):
    cell = cells.get(name)
    assert cell.parallel_in_time is False  # the four classic cells step through time
    assert cell.summary and "\n" not in cell.summary


@pytest.mark.parametrize("name", cells.names())
def test_every_cells_export_section_is_python_that_builds_its_forward(name):
    config = TrainConfig(cell=name, layers=2, hidden=6, dropout=0.1, forget_bias=1.0)
    lines = cells.get(name).export_init(config, "len(VOCAB)")
    forward = cells.get(name).export_forward(config, "self.embed(x)", "self.head(out)")
    assert lines and all("\n" not in line for line in lines)
    compile("class M:\n    def __init__(self):\n" + "".join(f"        {line}\n" for line in lines) + forward,
            "export", "exec")


def test_a_copied_model_shares_its_stateless_cell():
    import copy

    from engine.models import SequenceModel

    model = SequenceModel(5, cell=GRU.name, hidden=4)
    assert copy.deepcopy(model).cell is model.cell is cells.get(GRU.name)
