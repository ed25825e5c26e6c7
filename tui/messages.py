"""Messages between the workers and the widgets: plain dataclasses, safe to post from any thread."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message


@dataclass
class TrainingEvents(Message):
    """A batch of engine events (about 50 ms worth), in the order the trainer yielded them."""

    events: tuple[Any, ...]


@dataclass
class TrainerCreated(Message):
    """The worker built a Trainer (weights exist, predict() works) for the run that `gate` controls."""

    trainer: Any
    gate: Any = None


@dataclass
class ContestantCreated(Message):
    """The race thread built contestant `index`'s Trainer (it plays while the race goes on)."""

    race: Any
    index: int
    trainer: Any


@dataclass
class TrainingFailed(Message):
    """The run could not start or crashed; `field` names the config field at fault, if any."""

    message: str
    field: str | None = None
    gate: Any = None  # the failed run's gate: a message about an older run is ignored


@dataclass
class DevicesFound(Message):
    """What this machine can train on: (name, label) pairs, CPU first."""

    devices: list[tuple[str, str]]


@dataclass
class ConfigChanged(Message):
    """The config pane's values changed: a valid config, or the errors by field name."""

    config: Any | None
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class ModelLoaded(Message):
    """A checkpoint was read: a resumable Trainer, or a predict-only LoadedModel."""

    model: Any
    path: str
    resumable: bool


@dataclass
class Notice(Message):
    """Something to tell the user in a toast (a worker finished saving, a load failed...)."""

    text: str
    severity: str = "information"


@dataclass
class PlaygroundAnswer(Message):
    """What the playground shows for the text typed (computed in a worker)."""

    query: tuple[Any, ...]
    answer: Any


@dataclass
class Saved(Message):
    """A save of `trainer` at `step` to `path` finished: `ok` says whether the file was written."""

    trainer: Any
    step: int
    ok: bool
    path: str = ""


@dataclass
class PresetPicked(Message):
    """The user picked another preset in Setup (not filled in yet: the app may ask first)."""

    name: str
