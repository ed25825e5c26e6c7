"""What background threads report to the Session: plain dataclasses, made in any thread.

A thread hands one to `Shell.report`, which delivers it on the UI thread to `Session.receive`.
No Textual here: the Session and its tests use them without a screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class TrainingEvents:
    """A batch of engine events (about 50 ms worth), in the order the trainer yielded them."""

    events: tuple[Any, ...]


@dataclass
class TrainerCreated:
    """The training thread built a Trainer (weights exist, predict() works) for the run that `gate` controls
    (None: the selected run, as tests that make a trainer themselves say)."""

    trainer: Any
    gate: Any = None


@dataclass
class ContestantCreated:
    """The race thread built contestant `index`'s Trainer (it plays while the race goes on)."""

    race: Any
    index: int
    trainer: Any


@dataclass
class TrainingFailed:
    """The run could not start or crashed; `field` names the setting at fault, if any."""

    message: str
    field: str | None = None
    gate: Any = None  # the failed run's gate: a report about an older run is ignored


@dataclass
class ModelLoaded:
    """A checkpoint was read: a resumable Trainer, or a predict-only LoadedModel."""

    model: Any
    path: str
    resumable: bool


@dataclass
class LoadFailed:
    """A checkpoint could not be read (nothing was loaded)."""

    path: str
    error: str


@dataclass
class Saved:
    """A save of `trainer` at `step` to `path` finished; `error` says why nothing was written."""

    trainer: Any
    step: int
    path: str
    error: str = ""
