"""Checkpoints: one .safetensors file (weights, optimizer state, RNG) + JSON metadata.

safetensors holds only raw tensors and a JSON header, so loading a file can never run code.
Writes go through engine.storage.output_files (temp file beside the target, fsync, rename, the target's mode
kept). Reads go through engine.storage.checkpoint_reader: everything is checked before anything is allocated.
"""

from __future__ import annotations

import json
import math
import os
import stat
from contextlib import contextmanager

import torch
from safetensors.torch import save as to_bytes

from engine import branches, devices, loss_history, models, tasks
from engine.config import ConfigError
from engine.storage import corpus_files, locks, metadata, output_files
from engine.storage.checkpoint_reader import Checkpoint, CheckpointError
from engine.storage.metadata import FORMAT, VERSION
from engine.text import PATH_LIMIT, echo

__all__ = ["CheckpointError", "SaveError", "LoadedModel", "load", "resume", "save", "write_atomically",
           "FORMAT", "VERSION"]


SAVE_WAIT = 2.0  # seconds a save waits for another process's save of the same file to end


class SaveError(output_files.OutputError, CheckpointError):
    """A checkpoint could not be written: an OutputError that `except CheckpointError` also catches."""


def save(trainer, path: str) -> None:
    """Write `trainer` to `path`, holding the path's lock (engine.storage.locks) so no other run writes it meanwhile."""
    with _as_save_error():  # before the tensors are gathered: a bad path costs nothing
        output_files.check_target(path, "save")
        output_files.check_kind(path, "save", "checkpoint")
        with locks.writing(path, "save", wait=SAVE_WAIT):
            _write(trainer, path)


def _write(trainer, path: str) -> None:
    tensors = {f"model.{k}": v.detach().cpu().contiguous().clone() for k, v in trainer.model.state_dict().items()}
    optim = trainer.optimizer.state_dict()
    for index, state in optim["state"].items():
        for name, value in state.items():
            tensors[f"optim.{index}.{name}"] = torch.as_tensor(value).detach().cpu().contiguous().clone()
    tensors["rng"] = trainer.generator.get_state().cpu()
    tensors.update(trainer.dropout_rng.tensors())
    config = trainer.config
    if config.corpus is not None:
        config = config.replace(corpus=corpus_files.stored(config.corpus))
    meta = {"format": FORMAT, "version": VERSION, "config": config.to_dict(),
            "vocab": trainer.vocab.to_dict(), "step": trainer.step,
            "metrics": {k: v for k, v in trainer.metrics.items() if math.isfinite(v)},  # JSON has no NaN
            "param_groups": optim["param_groups"], "trained_seconds": trainer.trained_seconds,
            "run_id": trainer.run_id}
    if getattr(trainer, "parent", None):
        meta["parent"] = trainer.parent  # a branch: the run it started from
    curve = trainer.history.saved()
    if curve is not None:
        meta[loss_history.FIELD] = curve  # so that a branch of this checkpoint is drawn over its curve
    text = json.dumps(meta)
    try:  # the reader's own schema, on what the reader would see: a file that cannot load is never written
        metadata.validate(metadata.parse(text))
    except metadata.MetadataError as e:
        raise SaveError("save", path, f"the checkpoint would not load ({e}); nothing was written",
                        accepted=False) from None
    output_files.write_atomically(path, to_bytes(tensors, metadata={"rnnplay": text}))


def write_atomically(path: str, data: bytes) -> None:
    """output_files.write_atomically, raising SaveError (a CheckpointError) for callers that catch that."""
    with _as_save_error():
        output_files.write_atomically(path, data)


@contextmanager
def _as_save_error():
    try:
        yield
    except output_files.OutputError as e:
        if isinstance(e, SaveError):
            raise
        raise SaveError(e.what, e.path, e.problem, e.accepted) from None


def _build(ckpt: Checkpoint, make):
    """`make()` builds the real model; running out of memory there is one line, not a traceback."""
    try:
        return make()
    except (MemoryError, torch.OutOfMemoryError) as e:
        raise ckpt.error("config", f"out of memory building the model ({type(e).__name__})") from None
    except RuntimeError as e:
        if "allocate" not in str(e) and "out of memory" not in str(e):
            raise
        raise ckpt.error("config", "out of memory building the model") from None


def _load_weights(ckpt: Checkpoint, model: torch.nn.Module) -> None:
    try:
        model.load_state_dict(ckpt.tensors("model."))
    except RuntimeError as e:  # shapes were checked already; this is a belt-and-braces one-liner
        raise ckpt.error("tensors", f"do not match the model ({str(e).splitlines()[0][:120]})") from None


class LoadedModel:
    """A trained model read from a checkpoint: .config, .vocab, .step, .metrics and .predict()."""

    def __init__(self, path: str, device: str = "cpu"):
        ckpt = Checkpoint(path)
        meta = ckpt.meta
        self.config = meta.config.replace(device=device) if device is not None else meta.config
        self.vocab, self.step, self.metrics = meta.vocab, meta.step, dict(meta.metrics)
        self.run_id, self.parent = meta.run_id, meta.parent  # the run that saved it; a branch's parent
        self.history = loss_history.LossHistory(meta.loss_history)  # the losses logged up to self.step, as a Trainer's
        devices.apply_threads()  # the engine's one thread rule, as for a Trainer
        self.device = devices.resolve(self.config.device)
        self.task = tasks.make(self.config, self.device, None, vocab=self.vocab)
        self.model = _build(ckpt, lambda: models.build(self.config, len(self.vocab)))
        _load_weights(ckpt, self.model)
        self.model.to(self.device).eval()

    def predict(self, text: str, length: int | None = None, temperature: float = 0.0) -> str:
        with self.snapshot() as model:
            return self.task.predict(model, text, length, temperature)

    @contextmanager
    def snapshot(self):
        """The module predictions use (the same call as Trainer.snapshot()), in whichever thread asks."""
        devices.apply_threads()  # torch's thread count is per thread
        yield self.model

    def inspect(self, text: str, gradient: bool = False):
        """Hidden states, top candidates and connectivity (and, asked for, the gradient's) for `text`
        (engine.inside.Inside)."""
        from engine.inside import inspect

        with self.snapshot() as model:
            return inspect(model, self.task, text, gradient)


def load(path: str, device: str = "cpu") -> LoadedModel:
    """Read a checkpoint for prediction. Never unpickles: a foreign or damaged file raises CheckpointError.

    Public, for scoring a checkpoint with your own evaluator: `.model` is the torch module (in eval
    mode, on `device`), called as `model(ids, hidden) -> (logits, hidden)` with ids a (batch, seq)
    LongTensor, hidden None or the state it returned (an (h, c) pair for LSTM), logits (batch, seq,
    vocab); `.vocab.encode(text) -> list[int]` and `.vocab.decode(ids) -> str`; `.config`, `.step`.
    """
    return LoadedModel(path, device)


def resume(trainer_class, path: str, **overrides):
    """A Trainer continuing the checkpoint at `path`. `corpus=PATH` among the overrides reads the same text
    from where it is now (refused unless its characters are the checkpoint's)."""
    ckpt = Checkpoint(path)
    meta = ckpt.meta
    device = overrides.pop("device", None)
    config = meta.config.replace(device=device) if device is not None else meta.config
    moved = overrides.pop("corpus", None)
    if moved is not None:
        config = config.replace(corpus=corpus_files.stored(moved))
    _check_corpus(config, overridden=moved is not None)
    trainer = _build(ckpt, lambda: trainer_class(config.replace(**overrides) if overrides else config))
    if trainer.vocab != meta.vocab:
        given = f"--corpus {echo(moved)} is not the text" if moved is not None else "the corpus changed"
        raise ckpt.error("vocab", f"{given} this checkpoint was trained on (different characters); "
                                  "accepted: the same corpus, moved or copied")
    _load_weights(ckpt, trainer.model)
    _load_optimizer(ckpt, trainer.optimizer)
    for group in trainer.optimizer.param_groups:
        group["lr"] = trainer.config.lr  # a resumed run may change the learning rate
    try:  # the same data stream; a CUDA generator's state does not fit a CPU one, so then start afresh
        rng = ckpt.tensors("rng")
        if "" in rng:
            trainer.generator.set_state(rng[""])
    except RuntimeError:
        pass
    dropout = {f"dropout_rng{k}": v for k, v in ckpt.tensors("dropout_rng").items()}
    trainer.dropout_rng.restore(dropout, trainer.world.rank, trainer.world.size)  # each rank its own stream
    trainer.trained_seconds = 0.0 if "seconds" in overrides else meta.trained_seconds  # a new budget starts afresh
    trainer.step, trainer.metrics = meta.step, dict(meta.metrics)
    trainer.history = loss_history.LossHistory(meta.loss_history)
    trainer.origin = branches.origin(path, meta)  # changing a setting from here on makes a branch
    trainer._publish()
    return trainer


def _check_corpus(config, overridden: bool) -> None:
    """A checkpoint names its corpus; one that moved is one line saying how to point at it, and one that is
    now a FIFO or a device (/dev/zero) must not hang or exhaust memory on resume. ConfigError: the data is
    not at hand, so the app loads for prediction only."""
    name = config.corpus
    if name is None:
        return
    path = corpus_files.corpora.resolve(name)
    if not os.path.lexists(path) and not overridden:
        raise ConfigError("corpus", f"this checkpoint was trained on {echo(path, PATH_LIMIT)}, which is not there "
                                    "any more; to resume, give `--corpus PATH` with --resume (the same text, "
                                    "where it is now: it overrides the checkpoint's path)")
    if not os.path.exists(path) or os.path.isdir(path):
        return  # missing or a folder: the task's own reader says so
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise ConfigError("corpus", f"{echo(path, PATH_LIMIT)}: not a regular file (a pipe or device); "
                                    "expected a UTF-8 text file")


# What an optimizer does, as opposed to how it is computed (fused, foreach...): a saved group must agree
# with the optimizer its config builds on these, so a crafted file cannot, say, turn on gradient ascent.
SEMANTIC = ("betas", "eps", "weight_decay", "amsgrad", "maximize", "momentum", "dampening", "nesterov")


def _load_optimizer(ckpt: Checkpoint, optimizer: torch.optim.Optimizer) -> None:
    """The saved optimizer state (moments, step counts) onto the optimizer the config builds.

    The groups' settings come from the config, never from the file; saved ones must be of the right
    kind and, for what the optimizer does (SEMANTIC), equal to the config's.
    """
    fresh = optimizer.state_dict()["param_groups"]
    saved = ckpt.meta.param_groups
    if len(saved) != len(fresh):
        raise ckpt.error("param_groups", f"{len(saved)} groups where the {ckpt.meta.config.optimizer} "
                                         f"optimizer has {len(fresh)}")
    for i, (mine, theirs) in enumerate(zip(fresh, saved, strict=True)):
        if theirs["params"] != mine["params"]:
            raise ckpt.error(f"param_groups[{i}].params", "do not match the model's parameters")
        for name, value in theirs.items():
            if name in mine and name != "params":
                value = _same_kind(ckpt, f"param_groups[{i}].{name}", mine[name], value)
                if name in SEMANTIC and value != mine[name]:
                    raise ckpt.error(f"param_groups[{i}].{name}", f"{echo(value)} where this config's "
                                     f"{ckpt.meta.config.optimizer} optimizer has {echo(mine[name])}")
    state = ckpt.optimizer_state()
    try:
        optimizer.load_state_dict({"state": state, "param_groups": fresh})
    except (ValueError, RuntimeError, KeyError, TypeError) as e:
        raise ckpt.error("optimizer", f"state does not match ({str(e).splitlines()[0][:120]})") from None


def _same_kind(ckpt: Checkpoint, field: str, mine, value):
    """`value` if it is the kind of thing the optimizer keeps under that name, else CheckpointError."""
    def kind(v):
        if v is None or isinstance(v, bool):
            return "flag"  # foreach/fused are None or a bool depending on the torch version
        if isinstance(v, (int, float)):
            return "number"
        if isinstance(v, (list, tuple)):
            return f"{len(v)} numbers"
        return type(v).__name__
    if kind(mine) != kind(value):
        raise ckpt.error(field, f"expected {kind(mine)} for this optimizer")
    return tuple(value) if isinstance(mine, tuple) else value
