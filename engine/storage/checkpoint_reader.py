"""Reading a checkpoint without trusting it: bounded header, one metadata check, tensors checked before loading.

Order matters: the file must be a regular file; the safetensors header is bounded before safetensors
parses it; the rnnplay metadata is bounded and validated whole (engine.storage.metadata); the model's
parameter shapes are counted by arithmetic (nothing built) and every tensor's name, dtype and shape is
compared with them; only then are tensors read, and only the ones the caller needs.
"""

from __future__ import annotations

import os
import re
import stat
import struct

import torch
from safetensors import safe_open

from engine import models
from engine.config import ConfigError
from engine.distributed.data_parallel import MAX_PROCESSES
from engine.storage import metadata
from engine.storage.metadata import Metadata, MetadataError
from engine.text import PATH_LIMIT, echo, error_line, visible

MAX_HEADER_BYTES = 16 << 20  # safetensors' header: tensor table + our metadata string
MAX_RNG_BYTES = 1 << 20
RNG_TENSORS = ("rng", "dropout_rng", "dropout_rng_cuda")  # the data stream's and dropout's generator states
RNG_PEERS = {"dropout_rng_peers": "dropout_rng", "dropout_rng_cuda_peers": "dropout_rng_cuda"}  # ranks 1.. -> rank 0
MESSAGE_LIMIT = 400
WEIGHTS = "F32"  # every weight, and its optimizer state, is float32 (bf16 runs autocast; weights stay fp32)
OPTIMIZER_STATE = {"adam": ("step", "exp_avg", "exp_avg_sq"), "sgd": ("momentum_buffer",)}
_OPTIM_KEY = re.compile(r"optim\.(\d{1,6})\.([A-Za-z_]{1,32})")


class CheckpointError(ValueError):
    """A file is not a usable rnnplay checkpoint, or cannot be written; the message says why, in one line."""

    @classmethod
    def at(cls, path: str, field: str, problem: str) -> CheckpointError:
        """'<file>: <field>: <problem>', one line however odd the path or the data."""
        return cls(error_line(f"{visible(path, PATH_LIMIT, middle=True)}: {visible(field, 80, middle=True)}: "
                              f"{visible(problem, MESSAGE_LIMIT, middle=True)}"))


class Checkpoint:
    """An opened checkpoint whose metadata and tensor table have been checked; tensors load on demand."""

    def __init__(self, path: str):
        self.path = path
        _check_regular_file(path)
        _check_header_size(path)
        try:
            self.handle = safe_open(path, framework="pt", device="cpu")
            raw = (self.handle.metadata() or {}).get("rnnplay")
            self.table = {k: (self.handle.get_slice(k).get_dtype(), tuple(self.handle.get_slice(k).get_shape()))
                          for k in self.handle.keys()}
        except Exception as e:  # safetensors reports truncation, bad headers and foreign formats alike
            reason = (str(e).splitlines() or [type(e).__name__])[0][:120]
            raise CheckpointError.at(path, "file", f"not a readable safetensors checkpoint ({reason})") from None
        if raw is None:
            raise CheckpointError.at(path, "file", "a safetensors file, but not one written by rnnplay")
        try:
            self.meta: Metadata = metadata.validate(metadata.parse(raw))
        except MetadataError as e:
            raise CheckpointError.at(path, e.field, e.problem) from None
        self.weight_shapes = self._check_model_size()
        self._check_table()

    def error(self, field: str, problem: str) -> CheckpointError:
        return CheckpointError.at(self.path, field, problem)

    def _check_model_size(self) -> list[tuple[str, tuple[int, ...]]]:
        """The model's parameter names and shapes, counted by arithmetic (nothing built), after the size cap."""
        config, vocab = self.meta.config, self.meta.vocab
        try:
            models.check_size(config, len(vocab))
        except ConfigError as e:
            raise self.error(f"config.{e.field}", str(e)[len(e.field) + 2:]) from None
        shapes = models.parameter_shapes(config, len(vocab))
        self.shape_order = [shape for _, shape in shapes]  # the optimizer state's indices follow this order
        return shapes

    def _check_table(self) -> None:
        expected = {f"model.{name}": (WEIGHTS, shape) for name, shape in self.weight_shapes}
        for name, want in expected.items():
            got = self.table.get(name)
            if got is None:
                raise self.error(f"tensor {echo(name)}", "missing for this config")
            if got != want:
                raise self.error(f"tensor {echo(name)}", f"{got[0]} {list(got[1])} where the config needs "
                                                         f"{want[0]} {list(want[1])}")
        for name, (dtype, shape) in self.table.items():
            if name in expected:
                continue
            if name in RNG_TENSORS:
                if dtype != "U8" or len(shape) != 1 or shape[0] > MAX_RNG_BYTES:
                    raise self.error(f"tensor '{name}'",
                                     f"{dtype} {list(shape)}; expected U8 bytes of a generator state")
            elif name in RNG_PEERS:
                self._check_peers(name, dtype, shape)
            elif not self._optimizer_entry(name, dtype, shape):
                raise self.error(f"tensor {echo(name)}", f"unexpected for a {self.meta.config.optimizer} checkpoint "
                                                          f"({dtype} {list(shape)})")

    def _check_peers(self, name: str, dtype: str, shape: tuple) -> None:
        """The other ranks' dropout streams of a torchrun run: one row per rank after the first, each row a
        state of the same size as rank 0's, as many CUDA rows as CPU rows."""
        field, base = f"tensor '{name}'", self.table.get(RNG_PEERS[name])
        if dtype != "U8" or len(shape) != 2:
            raise self.error(field, f"{dtype} {list(shape)}; expected U8 rows of generator states, one per rank")
        if not 1 <= shape[0] < MAX_PROCESSES:
            raise self.error(field, f"{shape[0]} states; accepted: 1 to {MAX_PROCESSES - 1} (one per rank after "
                                    "the first)")
        if base is None:
            raise self.error(field, f"rank 0's '{RNG_PEERS[name]}' is missing (the other ranks' states go with it)")
        if base[1] != shape[1:]:
            raise self.error(field, f"states of {shape[1]} bytes where rank 0's '{RNG_PEERS[name]}' has "
                                    f"{base[1][0]}; every rank's state has the same size")
        cpu = self.table.get("dropout_rng_peers")
        if name.endswith("cuda_peers") and (cpu is None or cpu[1][0] != shape[0]):
            have = cpu[1][0] if cpu else "no"
            raise self.error(field, f"{shape[0]} states where 'dropout_rng_peers' has {have}: one of each per rank")

    def _optimizer_entry(self, name: str, dtype: str, shape: tuple) -> bool:
        """Whether optim.<index>.<state> names a parameter and a state of the right dtype and shape."""
        match = _OPTIM_KEY.fullmatch(name)
        if match is None or int(match.group(1)) >= len(self.shape_order):
            return False
        shape_of_param = self.shape_order[int(match.group(1))]
        known = OPTIMIZER_STATE.get(self.meta.config.optimizer)
        if match.group(2) == "step":
            return (known is None or "step" in known) and shape == () and dtype in ("F32", "F64")
        if known is not None and match.group(2) not in known:
            return False
        return shape == shape_of_param and dtype == WEIGHTS

    def tensors(self, prefix: str) -> dict[str, torch.Tensor]:
        """The tensors whose names start with `prefix`, with the prefix removed."""
        try:
            return {k[len(prefix):]: self.handle.get_tensor(k) for k in self.table if k.startswith(prefix)}
        except Exception as e:  # the file changed under us, or a read failed
            reason = (str(e).splitlines() or [type(e).__name__])[0][:120]
            raise self.error("file", f"tensors could not be read ({reason})") from None

    def optimizer_state(self) -> dict[int, dict[str, torch.Tensor]]:
        """{parameter index: {state name: tensor}}, every state complete for its optimizer and finite."""
        state: dict[int, dict[str, torch.Tensor]] = {}
        for key, value in self.tensors("optim.").items():
            index, name = key.split(".", 1)
            if not torch.isfinite(value).all():
                raise self.error(f"tensor 'optim.{key}'", "holds NaN or infinite values")
            if name in ("exp_avg_sq", "step") and (value < 0).any():  # a square, a count: never negative
                raise self.error(f"tensor 'optim.{key}'", "holds negative values (Adam's squares and step count "
                                                          "are never below 0)")
            if name == "step" and (value > self.meta.step).any():
                raise self.error(f"tensor 'optim.{key}'", f"counts more Adam steps than the checkpoint's "
                                                          f"{self.meta.step:,}")
            state.setdefault(int(index), {})[name] = value
        needed = set(OPTIMIZER_STATE.get(self.meta.config.optimizer, ()))
        for index, entries in state.items():
            if self.meta.config.optimizer == "adam" and set(entries) != needed:
                missing = ", ".join(sorted(needed - set(entries)))
                raise self.error(f"tensor 'optim.{index}'", f"incomplete adam state (missing {missing})")
        return state


def _check_regular_file(path: str) -> None:
    try:
        info = os.stat(path)
    except (OSError, ValueError) as e:
        problem = "no such file" if isinstance(e, FileNotFoundError) else getattr(e, "strerror", None) or str(e)
        raise CheckpointError.at(path, "file", problem) from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file (a pipe, device or socket)"
        raise CheckpointError.at(path, "file", f"is {kind}; accepted: a .safetensors file saved by rnnplay")


def _starts_a_header(path: str) -> bool:
    """Whether the 9th byte opens a JSON header, as in every safetensors file."""
    with open(path, "rb") as f:
        return f.read(9)[8:] == b"{"


def _check_header_size(path: str) -> None:
    """Refuse a safetensors header too large to be ours before anything parses it."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
            size = os.fstat(f.fileno()).st_size
    except OSError as e:
        raise CheckpointError.at(path, "file", f"cannot be read ({e.strerror})") from None
    if len(head) < 8:
        raise CheckpointError.at(path, "file", f"not a readable safetensors checkpoint ({size} bytes)")
    (length,) = struct.unpack("<Q", head)
    if length > size - 8 and length > MAX_HEADER_BYTES and not _starts_a_header(path):  # a text file, say
        raise CheckpointError.at(path, "file", "not a readable safetensors checkpoint: not a safetensors file "
                                               "at all (rnnplay train --save or ctrl+s in the app make one)")
    if length > MAX_HEADER_BYTES or length > size - 8:
        raise CheckpointError.at(path, "file", f"not a readable safetensors checkpoint (header of {length:,} "
                                               f"bytes; at most {MAX_HEADER_BYTES:,} and the file's size accepted)")
