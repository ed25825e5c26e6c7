"""Running `rnnplay` as users do: a real subprocess, its exit status, stdout and stderr."""

from __future__ import annotations

import os
import subprocess
import sys

COMMAND = [sys.executable, "-m", "engine.cli"]


def rnnplay(*args, env=None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})}, **kw)


def start(*args, env=None, **kw) -> subprocess.Popen:
    return subprocess.Popen([*COMMAND, *args], env={**os.environ, **(env or {})}, **kw)


def one_error_line(stderr: str) -> str:
    """The single `rnnplay: error: ...` line, asserting there is nothing else (no traceback, no escape)."""
    assert stderr.startswith("rnnplay: error: ") and stderr.count("\n") == 1, stderr[-2000:]
    assert "\x1b" not in stderr and "Traceback" not in stderr
    return stderr


def poisoned_checkpoint(path, preset: str = "sentences-lesson", steps: int = 2) -> str:
    """A real checkpoint whose weights were then edited to NaN (what a diverged run leaves behind)."""
    import json

    import torch
    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    import engine

    trainer = engine.Trainer(engine.presets.get(preset).replace(device="cpu", steps=steps))
    list(trainer.run())
    trainer.save(str(path))
    with safe_open(str(path), framework="pt") as f:
        meta = f.metadata()
    tensors = load_file(str(path))
    for name, tensor in tensors.items():
        if name.startswith("model.") and tensor.is_floating_point():
            tensors[name] = torch.full_like(tensor, float("nan"))
    json.loads(meta["rnnplay"])  # still valid metadata: only the numbers are poisoned
    save_file(tensors, str(path), metadata=meta)
    return str(path)


def read_terminal(leader: int) -> bytes:
    """Everything a child wrote to its pseudo-terminal, until it closed it; closes our end."""
    output = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        output += chunk
    os.close(leader)
    return output
