"""The cell registry: one module per cell, one registration line each here. Importing this stays cheap (no torch).

A cell module defines a Cell subclass (engine/cells/base.py): its core module, its state layout, its
parameter shapes, its lessons' shape lines, its initialisation options and its part of an exported script.
Every consumer asks the registered cell; an unknown name is a ConfigError, never a fall-through.
`register(cls)` adds a cell at runtime too (a test's toy cell): validation accepts it from then on.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.cells.base import HIDDEN, Cell, StatePart
from engine.cells.gru import GRU
from engine.cells.lstm import LSTM
from engine.cells.rnn import RNN
from engine.cells.rnncell import RNNCellLoop
from engine.text import echo

__all__ = ["Cell", "StatePart", "HIDDEN", "NAMES", "register", "unregister", "get", "names", "ignored_settings"]

_REGISTRY: dict[str, Cell] = {}


def register(cls: type[Cell]) -> type[Cell]:
    """Add `cls` under its name. A cell missing an abstract method or property is refused (TypeError naming
    it), and so is a name already taken or state parts that share a name or a key (ValueError)."""
    cell = cls()  # abc refuses a class with anything abstract left, naming it
    if not isinstance(cell.name, str) or not cell.name:
        raise ValueError(f"{cls.__name__}.name: expected a non-empty string, got {echo(cell.name)}")
    if cell.name in _REGISTRY:
        raise ValueError(f"a cell named {echo(cell.name)} is registered already "
                         f"({type(_REGISTRY[cell.name]).__name__})")
    if cell.options and cls.initialise is Cell.initialise:
        raise ValueError(f"{cls.__name__} reads {', '.join(cell.options)} but does not override initialise()")
    parts = cell.state_parts
    if not parts or parts[0].name != HIDDEN.name:
        raise ValueError(f"{cls.__name__}.state_parts: expected the hidden state first (what the head reads)")
    for field in ("name", "key"):
        values = [getattr(part, field) for part in parts]
        if len(set(values)) != len(values):
            raise ValueError(f"{cls.__name__}.state_parts: two parts share the {field} {values}")
    _REGISTRY[cell.name] = cell
    return cls


def unregister(name: str) -> None:
    """Remove a cell added at runtime (a test cleaning up after its toy cell)."""
    del _REGISTRY[name]


def get(name: str) -> Cell:
    """The registered cell called `name`; ConfigError (field "cell") naming it when there is none."""
    cell = _REGISTRY.get(name) if isinstance(name, str) else None
    if cell is None:
        from engine.config import ConfigError

        raise ConfigError("cell", f"{echo(name)} is not a registered cell; accepted: {', '.join(_REGISTRY)}")
    return cell


def names() -> tuple[str, ...]:
    return tuple(_REGISTRY)


class _Names(Sequence):
    """The registered names as a live sequence: `in`, iteration and join see cells registered later."""

    def __getitem__(self, index):
        return names()[index]

    def __len__(self) -> int:
        return len(_REGISTRY)

    def __repr__(self) -> str:
        return repr(names())


NAMES = _Names()


def ignored_settings(name: str) -> dict[str, str]:
    """{setting: why it has no effect} for the settings other cells read and cell `name` does not."""
    own = get(name).options
    out: dict[str, str] = {}
    for cell in _REGISTRY.values():
        for setting, why in cell.options.items():
            if setting not in own:
                out.setdefault(setting, why)
    return out


register(RNNCellLoop)
register(RNN)
register(LSTM)
register(GRU)
