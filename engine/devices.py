"""Devices and threads: resolve "auto|cpu|cuda|cuda:N|mps" to a torch.device, say what this machine has,
and choose how many CPU threads a run uses. torch loads on first use, so the CLI can check flags fast."""

from __future__ import annotations

import os
from dataclasses import dataclass

MAX_THREADS = 1024


class DeviceError(ValueError):
    """The requested device does not exist here; the message lists what does."""


class ThreadsError(ValueError):
    """A thread count that is neither `auto` nor a whole number in range."""


@dataclass(frozen=True)
class DeviceInfo:
    name: str  # what to pass as --device
    label: str  # what to show people


def _mps_available() -> bool:
    import torch

    backend = getattr(torch.backends, "mps", None)
    return bool(backend and backend.is_available())


def available() -> list[DeviceInfo]:
    """Every device a run can use on this machine, CPU first."""
    import torch

    found = [DeviceInfo("cpu", f"CPU ({torch.get_num_threads()} threads)")]
    if torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(i)
            found.append(DeviceInfo(f"cuda:{i}", f"{props.name} ({props.total_memory / 2**30:.0f} GiB)"))
    if _mps_available():
        found.append(DeviceInfo("mps", "Apple GPU (MPS)"))
    return found


def resolve(name: str):
    """The torch.device for `name`; DeviceError listing what exists when this machine has no such device."""
    import torch

    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda", 0)
        return torch.device("mps" if _mps_available() else "cpu")
    names = [d.name for d in available()]
    choice = "cuda:0" if name == "cuda" else name
    if choice not in names:
        raise DeviceError(f"device {name!r} is not available on this machine; available: {', '.join(names)}")
    return torch.device(choice)


def cores() -> int:
    """CPU cores this process may run on (its affinity mask, which containers and taskset narrow)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_threads() -> int:
    """OMP_NUM_THREADS when it is a positive whole number, otherwise one fewer than the cores (at least 1).

    Intra-op threads that outnumber the free cores make small models train many times slower on a
    busy machine (15-25x measured on 2 cores), while one thread is never much slower there.
    """
    env = os.environ.get("OMP_NUM_THREADS", "").strip()
    if env.isascii() and env.isdigit() and 0 < int(env) <= MAX_THREADS:  # not "²", which isdigit() takes
        return int(env)
    return max(1, cores() - 1)


def parse_threads(value: int | str | None) -> int:
    """`auto`/None -> default_threads(); a whole number 1..MAX_THREADS as itself; ThreadsError otherwise."""
    if value is None or (isinstance(value, str) and value.strip().lower() == "auto"):
        return default_threads()
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_THREADS:
        from engine.text import echo

        raise ThreadsError(f"--threads: {echo(value)} is not a thread count; accepted: auto or 1 to {MAX_THREADS}")
    return value


_chosen: int | None = None  # this process's choice (--threads, the app's, a script's set_threads()); None: the rule


def choose_threads(value: int | str | None = None) -> int:
    """Record the thread count every later run of this process uses (`auto`/None: the rule); no torch here.

    ThreadsError for anything but auto or 1..MAX_THREADS. The engine applies it (apply_threads) where a model runs.
    """
    global _chosen
    count = parse_threads(value)
    auto = value is None or (isinstance(value, str) and value.strip().lower() == "auto")
    _chosen = None if auto else count
    return count


def apply_threads() -> int:
    """The one thread rule, applied by the engine wherever a model runs (a Trainer, engine.load, so a race,
    inspect, the app's runs and loads): this process's choice, else default_threads(). Returns the count.

    torch's own default is every core: a loaded model continued in the app on 2 cores trained at 272 chars/s
    with it, against 34,900 with one thread beside the UI's.
    """
    count = _chosen if _chosen is not None else default_threads()
    import torch

    if torch.get_num_threads() != count:
        torch.set_num_threads(count)
    return count


def set_threads(value: int | str | None = None) -> int:
    """choose_threads(value), applied to torch now; returns the count."""
    choose_threads(value)
    return apply_threads()
