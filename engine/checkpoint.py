"""Checkpoints: one .safetensors file (weights, optimizer state, RNG) + JSON metadata.

safetensors holds only raw tensors and a JSON header, so loading a file can never run code.
Writes go to a temporary file in the same folder, are fsynced, then renamed over the target.
"""

from __future__ import annotations

import json
import os
import tempfile

import torch
from safetensors import safe_open
from safetensors.torch import save as to_bytes

from engine import devices, models, tasks
from engine.config import ConfigError, TrainConfig
from engine.vocab import Vocabulary

FORMAT = "rnnplay-checkpoint"
VERSION = 1


class CheckpointError(ValueError):
    """A file is not a usable rnnplay checkpoint, or cannot be written; the message says why."""


def save(trainer, path: str) -> None:
    tensors = {f"model.{k}": v.detach().cpu().contiguous().clone() for k, v in trainer.model.state_dict().items()}
    optim = trainer.optimizer.state_dict()
    for index, state in optim["state"].items():
        for name, value in state.items():
            tensors[f"optim.{index}.{name}"] = torch.as_tensor(value).detach().cpu().contiguous().clone()
    tensors["rng"] = trainer.generator.get_state().cpu()
    meta = {"format": FORMAT, "version": VERSION, "config": trainer.config.to_dict(),
            "vocab": trainer.vocab.to_dict(), "step": trainer.step, "metrics": trainer.metrics,
            "param_groups": optim["param_groups"]}
    write_atomically(path, to_bytes(tensors, metadata={"rnnplay": json.dumps(meta)}))


def write_atomically(path: str, data: bytes) -> None:
    folder = os.path.dirname(os.path.abspath(path))
    if os.path.isdir(path):
        raise CheckpointError(f"{path}: is a folder; give a file name such as model.safetensors")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".rnnplay-", suffix=".tmp", dir=folder)
    except OSError as e:
        raise CheckpointError(f"{path}: cannot write in {folder} ({e.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as e:
        os.unlink(tmp)
        raise CheckpointError(f"{path}: could not save ({e.strerror}); the previous file is untouched") from None


def read(path: str) -> tuple[dict, dict[str, torch.Tensor]]:
    """(metadata, tensors) of a checkpoint, or CheckpointError in one line."""
    if not os.path.isfile(path):
        raise CheckpointError(f"{path}: {'is a folder' if os.path.isdir(path) else 'no such file'}")
    try:
        with safe_open(path, framework="pt", device="cpu") as f:
            header = (f.metadata() or {}).get("rnnplay")
            tensors = {k: f.get_tensor(k) for k in f.keys()}
    except Exception as e:  # safetensors reports truncation, bad headers and foreign formats alike
        reason = (str(e).splitlines() or [type(e).__name__])[0][:120]
        raise CheckpointError(f"{path}: not a readable safetensors checkpoint ({reason})") from None
    if header is None:
        raise CheckpointError(f"{path}: a safetensors file, but not one written by rnnplay")
    try:
        meta = json.loads(header)
    except ValueError:
        raise CheckpointError(f"{path}: its rnnplay metadata is not valid JSON") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{path}: a safetensors file, but not one written by rnnplay")
    version = meta.get("version")
    if not isinstance(version, int) or version < 1:
        raise CheckpointError(f"{path}: damaged metadata (format version {version!r})")
    if version > VERSION:
        raise CheckpointError(f"{path}: format version {version} is newer than this rnnplay reads ({VERSION}); "
                              "upgrade rnnplay")
    return meta, tensors


def _restore(path: str, meta: dict, tensors: dict, device: str | None):
    try:
        config = TrainConfig.from_dict(meta["config"])
        if device is not None:
            config = config.replace(device=device)
        vocab = Vocabulary.from_dict(meta["vocab"])
        step = int(meta["step"])
    except ConfigError as e:
        raise CheckpointError(f"{path}: invalid saved config ({e})") from None
    except (KeyError, TypeError, ValueError) as e:
        raise CheckpointError(f"{path}: damaged metadata ({e!r})") from None
    return config, vocab, step


def _load_weights(path: str, model: torch.nn.Module, tensors: dict) -> None:
    weights = {k[len("model."):]: v for k, v in tensors.items() if k.startswith("model.")}
    try:
        model.load_state_dict(weights)
    except RuntimeError as e:
        raise CheckpointError(f"{path}: weights do not match the saved model ({str(e).splitlines()[0]})") from None


class LoadedModel:
    """A trained model read from a checkpoint: .config, .vocab, .step, .metrics and .predict()."""

    def __init__(self, path: str, device: str = "cpu"):
        meta, tensors = read(path)
        self.config, self.vocab, self.step = _restore(path, meta, tensors, device)
        self.metrics = meta.get("metrics", {})
        self.device = devices.resolve(self.config.device)
        self.task = tasks.make(self.config, self.device, None, vocab=self.vocab)
        try:
            self.model = models.build(self.config, len(self.vocab))
        except ValueError as e:
            raise CheckpointError(f"{path}: {e}") from None
        _load_weights(path, self.model, tensors)
        self.model.to(self.device).eval()

    def predict(self, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        return self.task.predict(self.model, text, length, temperature)


def load(path: str, device: str = "cpu") -> LoadedModel:
    """Read a checkpoint for prediction. Never unpickles: a foreign or damaged file raises CheckpointError.

    Public, for scoring a checkpoint with your own evaluator: `.model` is the torch module (in eval
    mode, on `device`), called as `model(ids, hidden) -> (logits, hidden)` with ids a (batch, seq)
    LongTensor, hidden None or the state it returned (an (h, c) pair for LSTM), logits (batch, seq,
    vocab); `.vocab.encode(text) -> list[int]` and `.vocab.decode(ids) -> str`; `.config`, `.step`.
    """
    return LoadedModel(path, device)


def resume(trainer_class, path: str, **overrides):
    meta, tensors = read(path)
    config, vocab, step = _restore(path, meta, tensors, overrides.pop("device", None))
    trainer = trainer_class(config.replace(**overrides) if overrides else config)
    if trainer.vocab != vocab:
        raise CheckpointError(f"{path}: the corpus changed since this checkpoint was saved (different characters)")
    _load_weights(path, trainer.model, tensors)
    optim = {"state": {}, "param_groups": meta.get("param_groups", [])}
    for key, value in tensors.items():
        if key.startswith("optim."):
            _, index, name = key.split(".", 2)
            optim["state"].setdefault(int(index), {})[name] = value
    try:
        trainer.optimizer.load_state_dict(optim)
    except (ValueError, RuntimeError, KeyError) as e:
        raise CheckpointError(f"{path}: optimizer state does not match ({e})") from None
    for group in trainer.optimizer.param_groups:
        group["lr"] = trainer.config.lr  # a resumed run may change the learning rate
    try:  # the same data stream; a CUDA generator's state does not fit a CPU one, so then start afresh
        trainer.generator.set_state(tensors["rng"].to(torch.uint8))
    except (KeyError, RuntimeError):
        pass
    trainer.step, trainer.metrics = step, dict(meta.get("metrics", {}))
    trainer._publish()
    return trainer
