"""What an existing file is, read from its first bytes: may `--save` replace it, may `--metrics` append to it?

`--save` replaces only a safetensors file: an 8-byte little-endian header length N (2 <= N <= 16 MiB,
8 + N <= the file's size) followed by a JSON object whose entries are tensors (dtype, shape,
data_offsets) or `__metadata__` (strings). `--metrics` appends only to rnnplay's JSON lines: the first
line is a JSON object with an "event" key. An empty file is taken by both (nothing in it can be lost).
Reads are bounded, so a huge corpus costs a few bytes. Standard library only: the CLI checks before torch.
"""

from __future__ import annotations

import json
import os
import stat

HEADER_LIMIT = 16 * 1024 * 1024  # the largest safetensors header we accept (the library's own limit is 100 MB)
LINE_LIMIT = 64 * 1024  # the longest first line a metrics file may have


def is_safetensors(f, size: int) -> bool:
    """True when the open binary file `f` of `size` bytes is a well-formed safetensors file."""
    start = f.read(8)
    if len(start) < 8:
        return False
    length = int.from_bytes(start, "little")
    if not 2 <= length <= HEADER_LIMIT or 8 + length > size:
        return False
    try:
        header = json.loads(f.read(length).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    if not isinstance(header, dict):
        return False
    return all(_is_metadata(value) if name == "__metadata__" else _is_tensor(value, size - 8 - length)
               for name, value in header.items())


def _is_metadata(value) -> bool:
    return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())


def _is_count(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_tensor(value, data_size: int) -> bool:
    if not isinstance(value, dict) or set(value) != {"dtype", "shape", "data_offsets"}:
        return False
    dtype, shape, offsets = value["dtype"], value["shape"], value["data_offsets"]
    return (isinstance(dtype, str) and isinstance(shape, list) and all(_is_count(n) for n in shape)
            and isinstance(offsets, list) and len(offsets) == 2 and all(_is_count(n) for n in offsets)
            and offsets[0] <= offsets[1] <= data_size)


def is_metrics(f) -> bool:
    """True when the open binary file `f` starts with one of rnnplay's metrics lines, or is empty."""
    first = f.readline(LINE_LIMIT + 1)
    if first == b"":
        return True
    if len(first) > LINE_LIMIT:
        return False
    try:
        event = json.loads(first.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return False
    return isinstance(event, dict) and "event" in event


def fits(path: str, kind: str) -> bool:
    """Whether the existing file at `path` may be replaced ("checkpoint") or appended to ("metrics").

    Opened non-blocking and checked with fstat: a FIFO swapped in after the path was checked is
    refused, never waited on. FileNotFoundError when nothing is there; other OSErrors as they come.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return False
        if info.st_size == 0:
            return True
        return is_safetensors(f, info.st_size) if kind == "checkpoint" else is_metrics(f)
