"""Cell: what a recurrent cell owns, so that the model, Inside, the lessons' shapes, size checks and the
exported script ask the cell and never test its name.

A cell builds its core module with the batch_first contract `core(x (B,T,I), state=None) -> (out (B,T,H),
state)`, says which parts one step carries per layer and how to split a state into them (what Inside
shows), counts its parameters by arithmetic (nothing built, nothing imported), and renders its part of an
exported script. Importing this stays cheap: torch loads inside build(), when a model is made.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from math import prod
from string import Template
from typing import Any, ClassVar


@dataclass(frozen=True)
class StatePart:
    """One tensor a cell carries from step to step, per layer: (layers, batch, hidden)."""

    name: str  # what Inside and the app call it: "hidden", "cell"
    key: str  # its short name (letters) in the app's state choice: "h1" is layer 1's hidden state
    bounded: bool  # its values stay in -1..1 (tanh, blends of tanh); else the app scales it to its largest


HIDDEN = StatePart("hidden", "h", bounded=True)  # what every cell carries, what its output is made of


def between_layers(dropout: float, layers: int) -> float:
    """The dropout a stacked core applies between its layers: none with one layer (PyTorch warns of it)."""
    return dropout if layers > 1 else 0.0


def fill(template: str, **values: Any) -> str:
    """An export template with its $names filled in (each value as str)."""
    return Template(template).substitute({k: str(v) for k, v in values.items()})


class Cell(ABC):
    """A recurrent cell: one subclass per module in engine/cells/, one registration line in its __init__.

    Class attributes satisfy the abstract properties (`name = "toy"`); a subclass that misses one, or any
    abstract method, cannot be registered, and the error names what is missing.
    """

    @property
    @abstractmethod
    def name(self) -> str:
        """The cell's name in configs, checkpoints and the command line."""

    @property
    @abstractmethod
    def summary(self) -> str:
        """One line for people: what the cell is."""

    @property
    @abstractmethod
    def state_parts(self) -> tuple[StatePart, ...]:
        """The parts one step carries per layer, HIDDEN first (the head reads the hidden state)."""

    @property
    @abstractmethod
    def parallel_in_time(self) -> bool:
        """Whether training runs every position at once (a scan) rather than one step after another."""

    options: ClassVar[dict[str, str]] = {}  # settings only some cells read -> the line said when this cell is not one

    @abstractmethod
    def build(self, input_size: int, hidden: int, layers: int, dropout: float) -> Any:
        """The core nn.Module. `dropout` applies between layers (0 with one layer). Modules are created in a
        fixed order: the same seed gives the same initial weights (exact resume and exported scripts rely on it)."""

    def initialise(self, core: Any, config: Any) -> None:
        """Apply this cell's own initialisation options (its `options`) to a freshly built core; a cell with
        options must override this (register() checks)."""
        return None  # no options: the core keeps PyTorch's initialisation

    @abstractmethod
    def split_state(self, state: Any) -> tuple[Any, ...]:
        """The state a core returned, as one tensor (layers, batch, hidden) per part of `state_parts`."""

    @abstractmethod
    def parameter_shapes(self, input_size: int, hidden: int, layers: int) -> list[tuple[str, tuple[int, ...]]]:
        """(name, shape) of every core parameter, in the core's named_parameters() order, by arithmetic."""

    def parameter_count(self, input_size: int, hidden: int, layers: int) -> int:
        return sum(prod(shape) for _, shape in self.parameter_shapes(input_size, hidden, layers))

    @abstractmethod
    def shapes(self, batch: int, seq: int, input_size: int, hidden: int, layers: int) -> tuple[str, ...]:
        """The lessons' lines for the core's tensors in one forward pass (batch_first)."""

    @abstractmethod
    def export_init(self, config: Any, width: int | str) -> list[str]:
        """The exported Model's __init__ lines that build the core (`width`: the input size, code or a number),
        creating modules in the same order as build()."""

    @abstractmethod
    def export_forward(self, config: Any, inputs: str, scores: str) -> str:
        """The exported Model's forward(x, state=None): `inputs` is the code for the input vectors, `scores`
        the code that turns `out` (batch, seq, hidden) into scores; it returns (scores, state)."""

    def __deepcopy__(self, memo: dict) -> Cell:
        return self  # stateless: a copied model (a snapshot) shares its cell

    def __repr__(self) -> str:
        return f"<cell {self.name}>"
