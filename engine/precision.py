"""Training precision: fp32, or bf16 autocast (weights and optimizer stay fp32) where the device has it."""

from __future__ import annotations

import contextlib

PRECISIONS = ("fp32", "bf16", "auto")
_CPU_FLAGS = ("amx_bf16", "avx512_bf16")


def cpu_bf16_native() -> str | None:
    """The CPU feature that runs bf16 matrix maths natively (amx_bf16, avx512_bf16), or None.

    Without one, CPU bf16 still works but is emulated and usually slower than fp32.
    """
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as f:
            flags = set()
            for line in f:
                if line.startswith("flags"):
                    flags.update(line.split(":", 1)[1].split())
                    break
    except OSError:
        return None
    return next((flag for flag in _CPU_FLAGS if flag in flags), None)


def bf16_label(device_type: str) -> str:
    """What the device list shows about bf16, e.g. 'bf16: native (amx_bf16)'."""
    if device_type == "cpu":
        native = cpu_bf16_native()
        return f"bf16: native ({native})" if native else "bf16: emulated (slower than fp32)"
    if device_type == "cuda":
        import torch

        return "bf16: native" if torch.cuda.is_bf16_supported(including_emulation=False) else "bf16: emulated"
    return "bf16: autocast"


def resolve(precision: str, device) -> str:
    """fp32 or bf16 for a run on `device`: auto is bf16 where it was measured faster, a CPU that does bf16
    natively (1.4-2.4x for batched LSTM/GRU), and fp32 elsewhere: on an H100 the presets' steps wait on
    kernel launches, not arithmetic, and bf16 ran 0.71-0.95x as fast at every shape of the grid
    (benchmarks/RESULTS.md). ConfigError when bf16 is asked of a device that cannot do it at all."""
    from engine.config import ConfigError

    if precision == "auto":
        return "bf16" if device.type == "cpu" and cpu_bf16_native() is not None else "fp32"
    if precision == "bf16" and device.type == "cuda":
        import torch

        if not torch.cuda.is_bf16_supported():
            raise ConfigError("precision", f"{device} does not support bf16; use --precision fp32")
    return precision


def autocast(precision: str, device):
    """The context a forward pass runs in: bf16 autocast, or nothing for fp32."""
    if precision != "bf16":
        return contextlib.nullcontext()
    import torch

    return torch.autocast(device.type, dtype=torch.bfloat16)
