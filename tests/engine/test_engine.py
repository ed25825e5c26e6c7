"""The package's face (engine/__init__.py): its public names are the objects their modules define, loaded
only when first asked for, and a name it does not have is an AttributeError naming it."""

import subprocess
import sys

import pytest

import engine
from engine import devices, racing, training
from engine.storage import checkpoint


def test_the_lazy_names_are_the_objects_their_modules_define():
    assert engine.Trainer is training.Trainer and engine.race is racing.race
    assert engine.load is checkpoint.load and engine.CheckpointError is checkpoint.CheckpointError
    assert engine.DeviceError is devices.DeviceError and engine.devices is devices


def test_every_public_name_is_there():
    assert all(getattr(engine, name) is not None for name in engine.__all__)


def test_an_unknown_name_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="module 'engine' has no attribute 'Trainr'"):
        engine.Trainr  # noqa: B018


def test_a_lazy_name_loads_its_module_only_when_asked_for():
    code = ("import sys, engine\nbefore = 'engine.training' in sys.modules\nfrom engine import Trainer\n"
            "print(before, 'engine.training' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]
