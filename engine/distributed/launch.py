"""`rnnplay train ... --nproc N`: the same command as N workers on this machine, started by torchrun's own
launcher in this process (engine.distributed.data_parallel is what each worker does once started)."""

from __future__ import annotations

import os
import signal

from engine.distributed.data_parallel import STOP_SIGNALS


def check_gpus(nproc: int, device: str = "cuda") -> None:
    """DeviceError unless this machine has a GPU for each of `nproc` processes (torchrun runs one per GPU)
    when `device` means a GPU: cuda, cuda:N, or auto on a machine that has one."""
    import torch

    from engine.devices import DeviceError, resolve

    if resolve(device).type != "cuda":  # resolve: DeviceError naming what exists, for a GPU this machine lacks
        return
    gpus = torch.cuda.device_count()
    if nproc > gpus:
        raise DeviceError(f"--nproc {nproc} on the GPU needs one GPU per process and this machine has {gpus}; "
                          f"accepted: --nproc 1 to {gpus}, or --device cpu for {nproc} CPU processes")


def launch(argv: list[str], nproc: int) -> int:
    """`rnnplay train ... --nproc N`: the same command as N workers on this machine, started by torchrun's
    own launcher in this process (a free local port; OMP_NUM_THREADS=1 unless set). The workers write to
    this terminal; torchrun's log lines are kept back. Returns rank 0's exit status; a Ctrl-C or SIGTERM
    here is passed to the workers, which stop after their step and save."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")  # torchrun's own default, without its warning
    os.environ["LOGLEVEL"] = "CRITICAL"  # read when torchrun's loggers are made
    import logging

    from torch.distributed import run as torchrun
    from torch.distributed.elastic.multiprocessing import SignalException
    from torch.distributed.elastic.multiprocessing.errors import ChildFailedError

    logging.getLogger("torch.distributed").setLevel(logging.CRITICAL)
    options = torchrun.parse_args(["--standalone", f"--nproc-per-node={nproc}", "-m", "engine.cli", "train", *argv])
    previous = {signum: signal.getsignal(signum) for signum in STOP_SIGNALS}
    try:
        torchrun.run(options)
        return 0
    except ChildFailedError as e:
        return _status(e.failures)
    except SignalException as e:  # the workers were sent the same signal and have stopped
        return 128 + int(e.sigval)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _status(failures: dict) -> int:
    """Rank 0's exit status (128 + N for a signal), or 1 when only other ranks failed."""
    failure = failures.get(0)
    if failure is None:
        return 1
    code = int(failure.exitcode)
    return 128 - code if code < 0 else code


def train_argv(argv: list[str]) -> list[str]:
    """`train`'s own arguments from the command line, without --nproc (each worker is one process)."""
    rest = argv[argv.index("train") + 1:] if "train" in argv else list(argv)
    kept, skip = [], False
    for arg in rest:
        if skip:
            skip = False
        elif arg == "--nproc":
            skip = True
        elif not arg.startswith("--nproc="):
            kept.append(arg)
    return kept
