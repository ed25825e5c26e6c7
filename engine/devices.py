"""Devices: resolve "auto|cpu|cuda|cuda:N|mps" to a torch.device, or say what this machine has."""

from __future__ import annotations

from dataclasses import dataclass

import torch


class DeviceError(ValueError):
    """The requested device does not exist here; the message lists what does."""


@dataclass(frozen=True)
class DeviceInfo:
    name: str  # what to pass as --device
    label: str  # what to show people


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def available() -> list[DeviceInfo]:
    """Every device a run can use on this machine, CPU first."""
    found = [DeviceInfo("cpu", f"CPU ({torch.get_num_threads()} threads)")]
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(i)
            found.append(DeviceInfo(f"cuda:{i}", f"{props.name} ({props.total_memory / 2**30:.0f} GiB)"))
    if _mps_available():
        found.append(DeviceInfo("mps", "Apple GPU (MPS)"))
    return found


def resolve(name: str) -> torch.device:
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", 0)
        return torch.device("mps" if _mps_available() else "cpu")
    names = [d.name for d in available()]
    choice = "cuda:0" if name == "cuda" else name
    if choice not in names:
        raise DeviceError(f"device {name!r} is not available on this machine; available: {', '.join(names)}")
    return torch.device(choice)
