"""RNN Playground engine: config in, events out. No UI; `import engine` loads no textual, rich or plotext.

torch loads when a Trainer, a checkpoint or the devices are first used, so that importing the
configuration side (presets, config, events, the exact cipher) stays fast.
"""

from __future__ import annotations

import importlib

from engine import events, presets, tasks
from engine.config import ConfigError, TrainConfig

__all__ = ["ConfigError", "TrainConfig", "Trainer", "load", "race", "CheckpointError", "DeviceError",
           "events", "presets", "tasks", "devices"]

_LAZY = {"Trainer": "engine.training", "load": "engine.storage.checkpoint",
         "CheckpointError": "engine.storage.checkpoint", "DeviceError": "engine.devices", "race": "engine.racing"}


def __getattr__(name: str):
    if name == "devices":
        return importlib.import_module("engine.devices")
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'engine' has no attribute {name!r}")
