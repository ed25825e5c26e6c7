"""Messages from the widgets to the app (what background threads report is in tui/reports.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message


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
class PlaygroundAnswer(Message):
    """What the playground shows for the text typed (computed in a worker)."""

    query: tuple[Any, ...]
    answer: Any


@dataclass
class PresetPicked(Message):
    """The user picked another preset in Setup (not filled in yet: the app may ask first)."""

    name: str
