"""Hostile checkpoints crafted by editing real ones: every one is refused in one line naming file and field."""

import json
import math
import os
import struct
import subprocess
import sys
import tempfile

import pytest
import torch
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from safetensors import safe_open
from safetensors.torch import save_file

import engine
from engine import models
from engine.models import GenerationError
from engine.text import visible

BILLIONS = {"hidden": 8192, "layers": 16, "embedding": 8192}


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """A real caesar checkpoint (adam state and all) and a real mapping one: (path, meta, tensors)."""
    folder = tmp_path_factory.mktemp("real")
    made = {}
    for name, preset, extra in (("caesar", "caesar", {"hidden": 8, "embedding": 4, "length": 8}),
                                ("mapping", "hello", {})):
        trainer = engine.Trainer(engine.presets.get(preset).replace(device="cpu", steps=3, **extra))
        list(trainer.run())
        path = str(folder / f"{name}.safetensors")
        trainer.save(path)
        made[name] = (path, *read(path))
    return made


def read(path):
    with safe_open(path, framework="pt", device="cpu") as f:
        return json.loads(f.metadata()["rnnplay"]), {k: f.get_tensor(k) for k in f.keys()}


def craft(folder, meta, tensors, name="crafted.safetensors", raw_meta=None):
    path = str(folder / name)
    save_file(tensors, path, metadata={"rnnplay": raw_meta if raw_meta is not None else json.dumps(meta)})
    return path


def refused(path, field, action=engine.load):
    with pytest.raises(engine.CheckpointError) as info:
        action(path)
    message = str(info.value)
    assert "\n" not in message and "\x1b" not in message
    assert message.startswith(path + ": "), message
    assert field in message, message
    return message


def edited(meta, dotted, value):
    meta = json.loads(json.dumps(meta))
    *parents, last = dotted.split(".")
    node = meta
    for key in parents:
        node = node[int(key)] if isinstance(node, list) else node[key]
    if value is DELETE:
        del node[last]
    else:
        node[int(last) if isinstance(node, list) else last] = value
    return meta


DELETE = object()
METADATA_ATTACKS = [
    ("step", float("inf"), "step"),
    ("step", -1, "step"),
    ("step", "12", "step"),
    ("step", True, "step"),
    ("step", DELETE, "step: missing"),
    ("version", True, "version"),
    ("metrics", [1, 2], "metrics"),
    ("metrics", {"loss": "low"}, "metrics.loss"),
    ("param_groups", "fast", "param_groups"),
    ("param_groups", [7], "param_groups[0]"),
    ("param_groups", [{"params": "all"}], "param_groups[0]"),
    ("param_groups", [{"params": [0, 0]}], "param_groups[0].params"),
    ("param_groups", [{"params": [0], "lr": {"a": 1}}], "param_groups[0].lr"),
    ("vocab", ["A"], "vocab"),
    ("vocab.symbols", [1, 2, 3], "vocab.symbols[0]"),
    ("vocab.symbols", ["A", "A"], "vocab.symbols"),
    ("vocab.symbols", ["A", ""], "vocab.symbols[1]"),
    ("vocab.symbols", [], "vocab.symbols"),
    ("vocab.unknown", "?", "vocab.unknown"),
    ("vocab.symbols", list("ABCDEFGHIJKLMNOPQRSTUVWXYZ_"), "vocab"),  # right size, wrong symbols for caesar
    ("config", "lstm", "config"),
    ("config.cell", "\x1b[31mlstm", "config.cell"),
    ("config.hidden", 1e9, "config.hidden"),
    ("config.lr", float("inf"), "config.lr"),
    ("config.task", "mapping", "vocab"),  # the task name swapped: the vocabulary does not fit
    ("config.task", "completion", "vocab"),
    ("config.surprise", 1, "config.surprise"),
    ("config.task", DELETE, "config.task: missing"),  # not the default task: a missing name reads as no model
    ("config.cell", DELETE, "config.cell: missing"),
    ("extra", 1, "'extra': unknown field"),
]


@pytest.mark.parametrize("field, value, named", METADATA_ATTACKS)
def test_crafted_metadata_is_refused_by_load_and_resume(real, tmp_path, field, value, named):
    _, meta, tensors = real["caesar"]
    path = craft(tmp_path, edited(meta, field, value), tensors)
    refused(path, named)
    refused(path, named, engine.Trainer.resume)


def test_the_task_swapped_between_two_real_files_is_refused(real, tmp_path):
    _, caesar_meta, caesar_tensors = real["caesar"]
    _, mapping_meta, _ = real["mapping"]
    swapped = edited(caesar_meta, "config", mapping_meta["config"])  # mapping config over caesar weights
    refused(craft(tmp_path, swapped, caesar_tensors), "vocab")
    swapped = edited(swapped, "vocab", mapping_meta["vocab"])  # vocabulary swapped too: now the weights differ
    refused(craft(tmp_path, swapped, caesar_tensors, "both.safetensors"), "tensor 'model.")


@pytest.mark.parametrize("raw, named", [
    ("[" * 100_000 + "]" * 100_000, "nested 100,000 levels deep"),
    ('{"a": ' * 50_000 + "1" + "}" * 50_000, "nested 50,000 levels deep"),
    ('{"format": "rnnplay-checkpoint", "version": 1, "step": Infinity}', "missing"),
    ("not json", "metadata: not valid JSON"),
    ('"just a string"', "expected a JSON object"),
    ("[1, 2]", "expected a JSON object"),
    ('{"format": "rnnplay-checkpoint", "version": 1, "step": ' + "9" * 5000 + "}", "not valid JSON"),
], ids=["arrays-100k-deep", "objects-50k-deep", "infinity", "not-json", "string", "array", "5000-digits"])
def test_hostile_json_is_refused_before_it_can_hurt(real, tmp_path, raw, named):
    _, _, tensors = real["caesar"]
    refused(craft(tmp_path, None, tensors, raw_meta=raw), named)


def test_a_huge_header_claim_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.safetensors"
    path.write_bytes(struct.pack("<Q", 1 << 40) + b"{" * 64)
    refused(str(path), "header of 1,099,511,627,776 bytes")


def test_a_small_file_claiming_billions_of_parameters_allocates_nothing(real, tmp_path):
    _, meta, tensors = real["caesar"]
    for key, value in BILLIONS.items():
        meta = edited(meta, f"config.{key}", value)
    path = craft(tmp_path, meta, tensors)
    assert os.path.getsize(path) < 64 * 1024
    for action in (engine.load, engine.Trainer.resume):
        message = refused(path, "config.hidden", action)
        assert "parameters; at most 200,000,000 are accepted" in message


@pytest.mark.parametrize("change, named", [
    (lambda t: t.pop("model.head.weight"), "tensor 'model.head.weight': missing"),
    (lambda t: t.update({"model.head.weight": t["model.head.weight"].double()}), "F64"),
    (lambda t: t.update({"model.head.bias": torch.zeros(10_000)}), "[10000] where the config needs F32 [27]"),
    (lambda t: t.update({"surprise": torch.zeros(1)}), "tensor 'surprise': unexpected"),
    (lambda t: t.update({"optim.99.step": torch.zeros(())}), "tensor 'optim.99.step'"),
    (lambda t: t.update({"optim.0.exp_avg": torch.zeros(3)}), "tensor 'optim.0.exp_avg'"),
    (lambda t: t.update({"optim.0.momentum_buffer": t["optim.0.exp_avg"].clone()}), "optim.0.momentum_buffer"),
    (lambda t: t.update({"rng": torch.zeros(4, dtype=torch.float32)}), "tensor 'rng'"),
])
def test_tensors_are_checked_against_the_model_before_loading(real, tmp_path, change, named):
    _, meta, tensors = real["caesar"]
    tensors = dict(tensors)
    change(tensors)
    path = craft(tmp_path, meta, tensors)
    refused(path, named)
    refused(path, named, engine.Trainer.resume)


@pytest.mark.parametrize("change, named", [
    (lambda t: t.pop("optim.0.exp_avg"), "incomplete adam state (missing exp_avg)"),
    (lambda t: t.update({"optim.0.step": torch.tensor(float("nan"))}), "NaN or infinite"),
    # the review's edits that made resume diverge with a hint blaming the learning rate
    (lambda t: t.update({"optim.0.exp_avg_sq": -t["optim.0.exp_avg_sq"] - 1}), "holds negative values"),
    (lambda t: t.update({"optim.0.step": torch.tensor(-5.0)}), "holds negative values"),
    (lambda t: t.update({"optim.0.step": torch.tensor(1e9)}), "counts more Adam steps"),
])
def test_optimizer_state_that_does_not_fit_the_optimizer_is_refused_on_resume(real, tmp_path, change, named):
    _, meta, tensors = real["caesar"]
    tensors = dict(tensors)
    change(tensors)
    path = craft(tmp_path, meta, tensors)
    assert engine.load(path).step == 3  # prediction needs no optimizer
    refused(path, named, engine.Trainer.resume)


@pytest.mark.parametrize("groups, named", [
    ([], "0 groups where the adam optimizer has 1"),
    ([{"params": [0, 1]}], "param_groups[0].params"),
    ("betas-as-number", "param_groups[0].betas: expected 2 numbers"),
    ("amsgrad-as-number", "param_groups[0].amsgrad: expected flag"),
    ({"maximize": True}, "param_groups[0].maximize: 'True' where this config's adam optimizer has 'False'"),
    ({"weight_decay": 1e308}, "param_groups[0].weight_decay"),
    ({"eps": -1.0}, "param_groups[0].eps"),
])
def test_param_groups_must_fit_the_optimizer(real, tmp_path, groups, named):
    _, meta, tensors = real["caesar"]
    if groups == "betas-as-number":
        groups = [dict(meta["param_groups"][0], betas=0.9)]
    elif groups == "amsgrad-as-number":
        groups = [dict(meta["param_groups"][0], amsgrad=1)]
    elif isinstance(groups, dict):  # what the optimizer does, changed by a crafted file (gradient ascent...)
        groups = [dict(meta["param_groups"][0], **groups)]
    refused(craft(tmp_path, edited(meta, "param_groups", groups), tensors), named, engine.Trainer.resume)


def test_running_out_of_memory_while_building_is_one_line(real, monkeypatch):
    path, _, _ = real["caesar"]
    build = models.build

    def short_of_memory(config, vocab_size):
        if torch.get_default_device().type == "meta":
            return build(config, vocab_size)  # counting on the meta device costs nothing
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 80.00 GiB")

    monkeypatch.setattr(models, "build", short_of_memory)
    assert "out of memory building the model" in refused(path, "config")
    assert "out of memory building the model" in refused(path, "config", engine.Trainer.resume)


def test_a_special_file_is_not_read_as_a_checkpoint(tmp_path):
    fifo = tmp_path / "fifo.safetensors"
    os.mkfifo(fifo)
    refused(str(fifo), "not a regular file")  # and it did not hang waiting for a writer
    refused(str(tmp_path), "is a folder")


def test_real_checkpoints_still_load_and_resume(real):
    for path, _, _ in real.values():
        assert engine.load(path).step == 3 and engine.Trainer.resume(path).step == 3


@pytest.mark.parametrize("field, value", [("config.cell", "\x1b]0;pwned\x07lstm"), ("step", float("inf")),
                                          ("vocab.symbols", [1, 2])])
def test_rnnplay_predict_on_a_crafted_file_exits_2_with_one_clean_line(real, tmp_path, field, value):
    _, meta, tensors = real["caesar"]
    path = craft(tmp_path, edited(meta, field, value), tensors)
    run = subprocess.run([sys.executable, "-m", "engine.cli", "predict", path, "HELLO"], capture_output=True,
                         timeout=120)
    assert run.returncode == 2 and run.stdout == b""
    assert run.stderr.startswith(b"rnnplay: error: " + path.encode()) and run.stderr.count(b"\n") == 1
    assert b"\x1b" not in run.stderr and b"\x07" not in run.stderr and b"Traceback" not in run.stderr
    assert field.encode() in run.stderr


def test_a_corpus_swapped_for_a_device_or_fifo_does_not_hang_resume(tmp_path):
    corpus = tmp_path / "text.txt"
    corpus.write_text("abcabcabc " * 300, encoding="utf-8")
    trainer = engine.Trainer(engine.presets.get("completion").replace(
        device="cpu", corpus=str(corpus), hidden=8, embedding=4, length=8, batch_size=4, steps=2))
    list(trainer.run())
    path = str(tmp_path / "c.safetensors")
    trainer.save(path)
    corpus.unlink()
    os.mkfifo(corpus)  # reading it would wait for a writer forever
    run = subprocess.run([sys.executable, "-m", "engine.cli", "train", "--resume", path, "--steps", "3"],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and run.stderr.count("\n") == 1
    assert "corpus: " in run.stderr and "not a regular file" in run.stderr
    assert engine.load(path).step == 2  # prediction needs no corpus
    meta, tensors = read(path)
    crafted = craft(tmp_path, edited(meta, "config.corpus", "/dev/zero"), tensors, "zero.safetensors")
    with pytest.raises(engine.ConfigError, match="not a regular file"):
        engine.Trainer.resume(crafted)


def test_non_finite_metrics_are_not_saved_and_old_files_with_them_still_load(real, tmp_path):
    _, meta, tensors = real["caesar"]
    meta = edited(meta, "metrics", {"loss": float("nan"), "eval_loss": float("inf"), "accuracy": 0.5})
    path = craft(tmp_path, meta, tensors)  # as a diverged run saved before this check existed
    assert engine.load(path).metrics == {"accuracy": 0.5}
    trainer = engine.Trainer.resume(path)
    trainer.metrics["loss"] = float("nan")
    trainer.save(path)
    assert "NaN" not in json.dumps(read(path)[0]) and engine.load(path).metrics == {"accuracy": 0.5}


# A structure-aware property test: mutate a real checkpoint's metadata and tensors, then load and resume it.
#
# Whatever the mutation, the outcome is a usable model or a CheckpointError whose message is one line that
# starts with the file's path; never another exception, never a raw control character.
# (`pytest --hypothesis-show-statistics` lists the mutation classes tried.)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=6) | st.sampled_from(["lstm", "adam", "caesar", "mapping", "completion", "\x1b[2J", ""]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6)


DTYPES = [torch.float64, torch.float16, torch.int64, torch.uint8, torch.bool]


NEW_NAMES = ["model.extra", "optim.0.momentum_buffer", "optim.9.step", "optim.0.step", "rng", "x" * 40]


@pytest.fixture(scope="module")
def two_step_caesar(tmp_path_factory):
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
def test_any_mutation_loads_or_is_refused_in_one_line(two_step_caesar, data):
    meta, tensors = json.loads(json.dumps(two_step_caesar[0])), dict(two_step_caesar[1])
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
