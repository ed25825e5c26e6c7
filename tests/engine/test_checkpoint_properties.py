"""A structure-aware property test: mutate a real checkpoint's metadata and tensors, then load and resume it.

Whatever the mutation, the outcome is a usable model or a CheckpointError whose message is one line that
starts with the file's path; never another exception, never a raw control character.
(`pytest --hypothesis-show-statistics` lists the mutation classes tried.)
"""

import json
import math
import os
import tempfile

import pytest
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from safetensors import safe_open
from safetensors.torch import save_file

import engine
from engine.models import GenerationError
from engine.text import visible

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=6) | st.sampled_from(["lstm", "adam", "caesar", "mapping", "completion", "\x1b[2J", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6)
DTYPES = [torch.float64, torch.float16, torch.int64, torch.uint8, torch.bool]
NEW_NAMES = ["model.extra", "optim.0.momentum_buffer", "optim.9.step", "optim.0.step", "rng", "x" * 40]


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    trainer = engine.Trainer(engine.presets.get("caesar").replace(device="cpu", steps=2, hidden=8, embedding=4,
                                                                  length=8))
    list(trainer.run())
    path = str(tmp_path_factory.mktemp("real") / "c.safetensors")
    trainer.save(path)
    with safe_open(path, framework="pt", device="cpu") as f:
        return json.loads(f.metadata()["rnnplay"]), {k: f.get_tensor(k) for k in f.keys()}


def mutate_metadata(data, meta):
    """Walk down a random path of the real metadata and replace, delete or add there."""
    node, where = meta, "meta"
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = data.draw(st.sampled_from(keys))
        child = node[key]
        if not isinstance(child, (dict, list)) or data.draw(st.booleans()):
            action = data.draw(st.sampled_from(["replace", "delete", "add"]))
            event(f"metadata: {action} {where}.{key if isinstance(key, str) else '[i]'}")
            if action == "replace":
                node[key] = data.draw(JSON)
            elif action == "delete":
                del node[key]
            elif isinstance(node, dict):
                node[data.draw(st.text(max_size=8))] = data.draw(JSON)
            else:
                node.append(data.draw(JSON))
            return
        node, where = child, f"{where}.{key if isinstance(key, str) else '[i]'}"
    event(f"metadata: fill empty {where}")
    if isinstance(node, list):
        node.append(data.draw(JSON))


def mutate_tensors(data, tensors):
    name = data.draw(st.sampled_from(sorted(tensors)))
    action = data.draw(st.sampled_from(["drop", "dtype", "shape", "nan", "add", "empty"]))
    event(f"tensors: {action}")
    t = tensors[name]
    if action == "drop":
        del tensors[name]
    elif action == "dtype":
        tensors[name] = t.to(data.draw(st.sampled_from(DTYPES)))
    elif action == "shape":
        tensors[name] = torch.zeros(*t.shape, data.draw(st.integers(1, 3))) if t.dim() < 3 else t.flatten()
    elif action == "nan" and t.is_floating_point():
        tensors[name] = torch.full_like(t, math.nan)
    elif action == "empty":
        tensors[name] = torch.zeros(0, dtype=t.dtype)
    else:
        tensors[data.draw(st.sampled_from(NEW_NAMES))] = torch.zeros(data.draw(st.integers(0, 5)))


def outcome_is_sane(path, action):
    try:
        result = action(path)
    except engine.CheckpointError as e:
        message = str(e)
        assert message.startswith(path + ": ") and visible(message) == message, message  # one safe line
        return "refused"
    except (engine.ConfigError, engine.DeviceError) as e:  # resume only: the data or device is not here
        assert action is not engine.load and "\n" not in str(e)
        return "environment"
    if action is engine.load:
        try:
            assert isinstance(result.predict("URYYB"), str)
        except GenerationError as e:  # NaN weights load, and predicting from them says so in one line
            assert visible(str(e)) == str(e)
    return "loaded"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_mutation_loads_or_is_refused_in_one_line(real, data):
    meta, tensors = json.loads(json.dumps(real[0])), dict(real[1])
    for _ in range(data.draw(st.integers(1, 3))):
        if data.draw(st.booleans()):
            mutate_metadata(data, meta)
        else:
            mutate_tensors(data, tensors)
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "mutant.safetensors")
        save_file({k: v.contiguous() for k, v in tensors.items()}, path,
                  metadata={"rnnplay": json.dumps(meta)})
        event(f"load: {outcome_is_sane(path, engine.load)}")
        event(f"resume: {outcome_is_sane(path, engine.Trainer.resume)}")
